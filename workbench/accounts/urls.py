from django.urls import path

from workbench.accounts import views

urlpatterns = [
    path("users/", views.user_list, name="user_list"),
    path("users/<int:user_id>/role/", views.user_role, name="user_role"),
    path("users/<int:user_id>/review-profile/", views.user_review_profile, name="user_review_profile"),
    path("users/<int:user_id>/active/", views.user_active, name="user_active"),
]
