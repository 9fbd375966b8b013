"""The phone's sound on the desk (issue 16): prompts, call recordings and voicemail, under
``/desk/phone/`` (included from ``desk.urls``, so the names are ``desk:phone_…``)."""

from django.urls import path

from okienko.desk import media_views, prompt_views

urlpatterns = [
    path("phone/prompts/", prompt_views.prompt_list_view, name="phone_prompts"),
    path("phone/prompts/synthesise", prompt_views.prompt_synthesise_view, name="phone_prompt_synthesise"),
    path("phone/prompts/upload", prompt_views.prompt_upload_view, name="phone_prompt_upload"),
    path("phone/prompts/<int:prompt_id>/", prompt_views.prompt_change_view, name="phone_prompt_change"),
    path("phone/prompts/<int:prompt_id>/<int:rate>.wav", prompt_views.prompt_audio_view, name="phone_prompt_audio"),
    path("phone/recordings/", media_views.recording_list_view, name="phone_recordings"),
    path("phone/recordings/<uuid:recording_uuid>/", media_views.recording_detail_view, name="phone_recording"),
    path(
        "phone/recordings/<uuid:recording_uuid>/audio", media_views.recording_audio_view, name="phone_recording_audio"
    ),
    path("phone/voicemail/", media_views.voicemail_list_view, name="phone_voicemail"),
    path("phone/voicemail/<uuid:message_uuid>/audio", media_views.voicemail_audio_view, name="phone_voicemail_audio"),
    path(
        "phone/voicemail/<uuid:message_uuid>/call-back",
        media_views.voicemail_call_back_view,
        name="phone_voicemail_call_back",
    ),
]
