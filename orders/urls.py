"""Order pages, mounted at the site root: the cart and my orders under /orders/, approvals under
/approvals/ and the fulfilment queue under /fulfilment/ (one namespace, "orders")."""

from django.urls import path

from orders import views

app_name = "orders"

urlpatterns = [
    path("orders/", views.my_orders, name="my_orders"),
    path("orders/cart/", views.cart, name="cart"),
    path("orders/cart/count/", views.cart_badge, name="cart_badge"),
    path("orders/cart/add/<slug:code>/", views.cart_add, name="cart_add"),
    path("orders/cart/lines/<int:pk>/", views.cart_line_update, name="cart_line_update"),
    path("orders/cart/lines/<int:pk>/remove/", views.cart_line_remove, name="cart_line_remove"),
    path("orders/cart/checkout/", views.checkout, name="checkout"),
    path("orders/colleagues/", views.colleagues, name="colleagues"),
    path("orders/<str:number>/", views.order_detail, name="order_detail"),
    path("orders/<str:number>/lines/<int:pk>/cancel/", views.line_cancel, name="line_cancel"),
    path("orders/<str:number>/lines/<int:pk>/received/", views.line_received, name="line_received"),
    path("approvals/", views.approval_list, name="approval_list"),
    path("approvals/<int:pk>/", views.approval_detail, name="approval_detail"),
    path("approvals/<int:pk>/decide/", views.approval_decide, name="approval_decide"),
    path("fulfilment/", views.fulfilment_queue, name="fulfilment_queue"),
    path("fulfilment/<int:pk>/", views.fulfilment_line, name="fulfilment_line"),
    path("fulfilment/<int:pk>/pick/", views.stock_pick, name="stock_pick"),
    path("fulfilment/<int:pk>/deliver/", views.line_deliver, name="line_deliver"),
    path("fulfilment/<int:pk>/tasks/<int:task_pk>/", views.task_complete, name="task_complete"),
    path("fulfilment/<int:pk>/<slug:action>/", views.fulfilment_action, name="fulfilment_action"),
]
