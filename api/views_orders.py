"""The order endpoints: list and read one's orders, and place an order with its lines and answers.

Placing an order is the portal's checkout in one request: each line goes through orders.services.cart_add
(the item's visibility, its questions' checks, the quantity, the catalogue's price) and the whole through
orders.services.order_submit, in one transaction, so a refused line leaves nothing behind.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import APIException, NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

from api.models import Scope
from api.pagination import StableCursorPagination
from api.serializers_orders import OrderCreateSerializer, OrderSerializer, answers_as_form_data
from api.views_tickets import BAD_CURSOR, COMMON, ERRORS, field_errors
from catalog.selectors import ItemNotOrderable, item_orderable_by
from orders import selectors, services
from orders.models import Order

MISSING = OpenApiResponse(description=gettext_lazy("No such order, or not one the user placed or receives."))
CART_IN_USE = OpenApiResponse(
    OpenApiTypes.OBJECT, description=gettext_lazy("The user's cart in the portal holds items.")
)


class CartInUse(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy(
        "Your cart in the portal holds items. Order them or empty the cart first, so that they are not "
        "ordered with this order by mistake."
    )
    default_code = "cart_in_use"


def _line_errors(exc: DjangoValidationError) -> dict:
    """Return cart_add's errors for one line: answers by question key, quantity, and the rest."""
    errors = field_errors(exc)
    general = api_settings.NON_FIELD_ERRORS_KEY
    result: dict = {}
    answers = {key: messages for key, messages in errors.items() if key not in {"quantity", general}}
    if answers:
        result["answers"] = answers
    for key in ("quantity", general):
        if key in errors:
            result[key] = errors[key]
    return result


@extend_schema_view(
    list=extend_schema(
        summary="List orders",
        description="The submitted orders the user placed or that were placed for them, newest first.",
        responses={200: OrderSerializer(many=True), 400: ERRORS, **COMMON, 404: BAD_CURSOR},
    ),
    retrieve=extend_schema(summary="Read an order", responses={200: OrderSerializer, **COMMON, 404: MISSING}),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    lookup_field = "number"
    lookup_value_regex = r"[A-Za-z]{3}-[0-9]{4}-[0-9]{1,9}"
    pagination_class = StableCursorPagination
    cursor_ordering = ("-id",)
    serializer_class = OrderSerializer
    http_method_names = ["get", "post", "head", "options"]
    required_scopes = {"POST": Scope.ORDERS_WRITE}

    def get_queryset(self):
        return selectors.orders_visible_to(user=self.request.user)

    def _order(self, number: str) -> Order:
        try:
            return selectors.order_for_page(user=self.request.user, number=number.upper())
        except Order.DoesNotExist:
            raise NotFound(_("No such order.")) from None

    def retrieve(self, request: Request, number: str = "", **kwargs) -> Response:
        return Response(OrderSerializer(self._order(number), context=self.get_serializer_context()).data)

    @extend_schema(
        summary="Place an order",
        description=(
            "Order catalogue items with the answers to their questions, for yourself or a colleague, "
            "checked exactly as the portal checks them. A refused line answers 400 with the errors at "
            'its index: {"lines": [{}, {"answers": {"<question key>": ["…"]}}]}, and nothing is saved.'
        ),
        request=OrderCreateSerializer,
        responses={201: OrderSerializer, 400: ERRORS, **COMMON, 409: CART_IN_USE},
    )
    def create(self, request: Request) -> Response:
        user = request.user
        if not user.has_perm("orders.order"):
            raise PermissionDenied
        serializer = OrderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            with transaction.atomic():
                cart = selectors.cart_for(user=user)
                if cart is not None and list(cart.lines.all()):
                    raise CartInUse
                errors = [self._add_line(user, line) for line in data["lines"]]
                if any(errors):
                    raise serializers.ValidationError({"lines": errors})
                order = services.order_submit(
                    user=user,
                    recipient=data.get("recipient"),
                    delivery_location=data["delivery_location"],
                    justification=data["justification"],
                )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(field_errors(exc)) from None
        order = self._order(order.number)
        response = Response(
            OrderSerializer(order, context=self.get_serializer_context()).data, status=status.HTTP_201_CREATED
        )
        response["Location"] = request.build_absolute_uri(f"{request.path.rstrip('/')}/{order.number}/")
        return response

    @staticmethod
    def _add_line(user, line: dict) -> dict:
        """Put one line in the user's cart (inside the caller's transaction); return its errors, or {}."""
        try:
            item = item_orderable_by(user=user, code=line["item"])
        except Http404:
            return {"item": [_("No such item, or not one you may order.")]}
        except ItemNotOrderable as exc:
            return {"item": [str(message) for message in exc.messages]}
        form_data = answers_as_form_data(item, line["answers"])
        try:
            services.cart_add(user=user, code=item.code, quantity=line["quantity"], data=form_data)
        except DjangoValidationError as exc:
            return _line_errors(exc)
        return {}
