"""Pages of the educators app outside allauth's own."""

from django.urls import path

from educators import views

app_name = "educators"

urlpatterns = [
    path("two-factor-enrolment/<str:token>/", views.enrolment_link, name="enrolment_link"),
]
