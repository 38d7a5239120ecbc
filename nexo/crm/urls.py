from django.urls import path

from nexo.crm.pickers import opportunity_search
from nexo.crm.views import activities, board, forecast, leads, opportunities, stages

app_name = "crm"
urlpatterns = [
    path("", board.board, name="board"),
    path("board/move/<id:opportunity_id>/", board.board_move, name="board_move"),
    path("opportunities/", opportunities.opportunity_list, name="opportunity_list"),
    path("opportunities/new/", opportunities.opportunity_create, name="opportunity_create"),
    path("opportunities/search/", opportunity_search, name="opportunity_search"),
    path("opportunities/<id:opportunity_id>/", opportunities.opportunity_view, name="opportunity_view"),
    path("opportunities/<id:opportunity_id>/edit/", opportunities.opportunity_edit, name="opportunity_edit"),
    path("opportunities/<id:opportunity_id>/move/", opportunities.opportunity_move, name="opportunity_move"),
    path("opportunities/<id:opportunity_id>/win/", opportunities.opportunity_win, name="opportunity_win"),
    path("opportunities/<id:opportunity_id>/lose/", opportunities.opportunity_lose, name="opportunity_lose"),
    path(
        "opportunities/<id:opportunity_id>/reopen/",
        opportunities.opportunity_reopen,
        name="opportunity_reopen",
    ),
    path("leads/new/", leads.lead_capture, name="lead_capture"),
    path("activities/", activities.my_activities, name="my_activities"),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<id:activity_id>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<id:activity_id>/done/", activities.activity_done, name="activity_done"),
    path("forecast/", forecast.forecast_page, name="forecast"),
    path("stages/", stages.stage_list, name="stage_list"),
    path("stages/new/", stages.stage_create, name="stage_create"),
    path("stages/<id:stage_id>/edit/", stages.stage_edit, name="stage_edit"),
]
