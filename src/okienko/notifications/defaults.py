"""The wording Okienko ships for every event, channel and language.

An office changes a wording by storing a :class:`~okienko.notifications.models.NotificationTemplate`
(in the desk's template editor); the rest keep these. Templates use the Django template language
with the variables of :data:`VARIABLES`; the text is plain (the HTML version is the same text in
the shared layout), SMS texts are kept short.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Wording:
    subject: str
    body: str


# Variable → what it holds (shown beside the editor).
VARIABLES: dict[str, str | Promise] = {
    "name": _("the recipient's name (empty when unknown)"),
    "case_number": _("the case number"),
    "service": _("the matter (catalogue service)"),
    "status": _("the case status as the client sees it"),
    "message": _("the office's message (answer, question, reason)"),
    "link": _("the public page of the case"),
    "answer_link": _("the form for answering the office's question"),
    "survey_link": _("the satisfaction survey"),
    "deadline": _("the date the matter should be resolved by"),
    "office": _("the office's name"),
    "office_phone": _("the office's phone"),
    "office_email": _("the office's e-mail"),
    "callback_at": _("when the office will call back"),
    "reached": _("whether the office reached the client when calling back (yes/no)"),
    "contract_number": _("the number of the contract with the agency"),
    "sender": _("the institution that wrote"),
    "subject": _("the subject of the client's e-mail"),
    "article_title": _("the title of the knowledge article"),
    "article_link": _("the article in the editor"),
    "review_date": _("the article's review date"),
    "transcript": _("the chat's transcript"),
    "search_name": _("the name of the saved offer search"),
    "offers": _("the new job offers found (one per line, with links)"),
    "offers_short": _("the new job offers in short (SMS)"),
    "unsubscribe_link": _("the one-click link that stops the alerts"),
    "digest": _("whether the message is the daily digest"),
    "visit": _("the kind of visit at the office"),
    "when": _("when the visit is, in words (“jutro (wtorek, 8 grudnia) o 9:30”)"),
    "address": _("where the visit is (the office's address)"),
    "cancel_info": _("how to cancel the visit"),
    "reason": _("the office's reason for cancelling"),
    "item_title": _("the title of the training or event"),
    "item_kind": _("what it is: a training, a job fair…"),
    "place": _("where the training or event is (or “online”)"),
    "offer_title": _("the position of the job offer"),
    "cases": _("how many cases in the last seven days, in words (“7 spraw”)"),
    "usual": _("the usual number of cases there a week (the mean of the eight weeks before)"),
    "centre": _("the centre of the area of the hot spot (latitude, longitude)"),
    "map_link": _("the desk map zoomed to the hot spot"),
    "list_link": _("the list of hot spots on the desk map page"),
}

_SIGNATURE_PL = "\n\nZ poważaniem\n{{ office }}{% if office_phone %}\ntel. {{ office_phone }}{% endif %}"
_SIGNATURE_EN = "\n\nKind regards\n{{ office }}{% if office_phone %}\nphone {{ office_phone }}{% endif %}"
_HELLO_PL = "{% if name %}Dzień dobry, {{ name }},{% else %}Dzień dobry,{% endif %}\n\n"
_HELLO_EN = "{% if name %}Dear {{ name }},{% else %}Hello,{% endif %}\n\n"
_LINK_PL = "\n\nPostęp sprawy można sprawdzić tutaj: {{ link }}"
_LINK_EN = "\n\nYou can follow your case here: {{ link }}"

EMAIL: dict[tuple[str, str], Wording] = {
    ("case_registered", "pl"): Wording(
        "Przyjęliśmy Pana/Pani zgłoszenie {{ case_number }}",
        _HELLO_PL + "przyjęliśmy zgłoszenie w sprawie: {{ service }}. Nadaliśmy mu numer {{ case_number }}"
        " — prosimy podawać go w kontakcie z nami."
        "{% if deadline %}\nSprawę powinniśmy załatwić do {{ deadline }}.{% endif %}" + _LINK_PL + _SIGNATURE_PL,
    ),
    ("case_registered", "en"): Wording(
        "We have received your report {{ case_number }}",
        _HELLO_EN + "we have received your report about: {{ service }}. Its number is {{ case_number }};"
        " please quote it when you contact us."
        "{% if deadline %}\nWe aim to deal with it by {{ deadline }}.{% endif %}" + _LINK_EN + _SIGNATURE_EN,
    ),
    ("case_assigned", "pl"): Wording(
        "Sprawa {{ case_number }} trafiła do właściwej jednostki",
        _HELLO_PL + "Pana/Pani sprawę {{ case_number }} ({{ service }}) przekazaliśmy jednostce, która się nią"
        " zajmie. Poinformujemy o dalszych krokach." + _LINK_PL + _SIGNATURE_PL,
    ),
    ("case_assigned", "en"): Wording(
        "Case {{ case_number }} has been passed to the responsible unit",
        _HELLO_EN + "your case {{ case_number }} ({{ service }}) has been passed to the unit that will handle it."
        " We will let you know what happens next." + _LINK_EN + _SIGNATURE_EN,
    ),
    ("info_requested", "pl"): Wording(
        "Prosimy o informacje w sprawie {{ case_number }}",
        _HELLO_PL + "aby załatwić sprawę {{ case_number }} ({{ service }}), potrzebujemy od Pana/Pani informacji:"
        "\n\n{{ message }}\n\nProsimy odpowiedzieć na tę wiadomość albo skorzystać z formularza (można dołączyć"
        " pliki): {{ answer_link }}\nDo czasu odpowiedzi termin załatwienia sprawy nie biegnie." + _SIGNATURE_PL,
    ),
    ("info_requested", "en"): Wording(
        "We need information about case {{ case_number }}",
        _HELLO_EN + "to deal with case {{ case_number }} ({{ service }}) we need some information from you:"
        "\n\n{{ message }}\n\nPlease reply to this message or use the form (you can attach files):"
        " {{ answer_link }}\nThe deadline is paused until you answer." + _SIGNATURE_EN,
    ),
    ("status_changed", "pl"): Wording(
        "Sprawa {{ case_number }}: {{ status }}",
        _HELLO_PL + "stan Pana/Pani sprawy {{ case_number }} ({{ service }}) to teraz: {{ status }}."
        "{% if message %}\n\n{{ message }}{% endif %}" + _LINK_PL + _SIGNATURE_PL,
    ),
    ("status_changed", "en"): Wording(
        "Case {{ case_number }}: {{ status }}",
        _HELLO_EN + "the status of your case {{ case_number }} ({{ service }}) is now: {{ status }}."
        "{% if message %}\n\n{{ message }}{% endif %}" + _LINK_EN + _SIGNATURE_EN,
    ),
    ("case_resolved", "pl"): Wording(
        "Sprawa {{ case_number }} została załatwiona",
        _HELLO_PL + "Pana/Pani sprawa {{ case_number }} ({{ service }}) została załatwiona."
        "{% if message %}\n\n{{ message }}{% endif %}"
        "{% if survey_link %}\n\nProsimy o ocenę, jak sobie poradziliśmy — to zajmie minutę: {{ survey_link }}"
        "{% endif %}" + _LINK_PL + _SIGNATURE_PL,
    ),
    ("case_resolved", "en"): Wording(
        "Case {{ case_number }} has been resolved",
        _HELLO_EN + "your case {{ case_number }} ({{ service }}) has been resolved."
        "{% if message %}\n\n{{ message }}{% endif %}"
        "{% if survey_link %}\n\nPlease tell us how we did — it takes a minute: {{ survey_link }}{% endif %}"
        + _LINK_EN
        + _SIGNATURE_EN,
    ),
    ("case_reopened", "pl"): Wording(
        "Sprawa {{ case_number }} została wznowiona",
        _HELLO_PL + "ponownie zajmujemy się sprawą {{ case_number }} ({{ service }})."
        "{% if message %}\n\n{{ message }}{% endif %}" + _LINK_PL + _SIGNATURE_PL,
    ),
    ("case_reopened", "en"): Wording(
        "Case {{ case_number }} has been reopened",
        _HELLO_EN + "we are working on case {{ case_number }} ({{ service }}) again."
        "{% if message %}\n\n{{ message }}{% endif %}" + _LINK_EN + _SIGNATURE_EN,
    ),
    ("case_message", "pl"): Wording(
        "Wiadomość w sprawie {{ case_number }}",
        _HELLO_PL + "{{ message }}" + _LINK_PL + _SIGNATURE_PL,
    ),
    ("case_message", "en"): Wording(
        "A message about case {{ case_number }}",
        _HELLO_EN + "{{ message }}" + _LINK_EN + _SIGNATURE_EN,
    ),
    ("callback_scheduled", "pl"): Wording(
        "Oddzwonimy do Pana/Pani",
        _HELLO_PL + "zgodnie z prośbą oddzwonimy{% if callback_at %} do {{ callback_at }}{% endif %}"
        "{% if service %} w sprawie: {{ service }}{% endif %}." + _SIGNATURE_PL,
    ),
    ("callback_scheduled", "en"): Wording(
        "We will call you back",
        _HELLO_EN + "as you asked, we will call you back{% if callback_at %} by {{ callback_at }}{% endif %}"
        "{% if service %} about: {{ service }}{% endif %}." + _SIGNATURE_EN,
    ),
    ("callback_closed", "pl"): Wording(
        "{% if reached %}Oddzwoniliśmy do Pana/Pani{% else %}Nie udało się do Pana/Pani dodzwonić{% endif %}",
        _HELLO_PL + "{% if reached %}dziękujemy za rozmowę — Pana/Pani prośba o kontakt została załatwiona."
        "{% else %}próbowaliśmy oddzwonić zgodnie z Pana/Pani prośbą, ale nie udało się połączyć."
        "{% if office_phone %} Prosimy o telefon pod numer {{ office_phone }}.{% endif %}{% endif %}" + _SIGNATURE_PL,
    ),
    ("callback_closed", "en"): Wording(
        "{% if reached %}We called you back{% else %}We could not reach you{% endif %}",
        _HELLO_EN + "{% if reached %}thank you for the call — your request to be called back is handled."
        "{% else %}we tried to call you back as you asked, but could not get through."
        "{% if office_phone %} Please call us on {{ office_phone }}.{% endif %}{% endif %}" + _SIGNATURE_EN,
    ),
    ("job_alert", "pl"): Wording(
        "{% if digest %}Nowe oferty pracy: {{ search_name }}{% else %}Nowa oferta pracy: {{ search_name }}{% endif %}",
        _HELLO_PL + "{% if digest %}oto nowe oferty pracy{% else %}jest nowa oferta pracy{% endif %} dla"
        " zapisanego wyszukiwania „{{ search_name }}”:\n\n{{ offers }}\n\nNie chcesz już tych powiadomień?"
        " Wypisz się jednym kliknięciem: {{ unsubscribe_link }}" + _SIGNATURE_PL,
    ),
    ("job_alert", "en"): Wording(
        "{% if digest %}New job offers: {{ search_name }}{% else %}A new job offer: {{ search_name }}{% endif %}",
        _HELLO_EN + "{% if digest %}here are new job offers{% else %}there is a new job offer{% endif %} for"
        " your saved search “{{ search_name }}”:\n\n{{ offers }}\n\nNo more of these? Unsubscribe in one click:"
        " {{ unsubscribe_link }}" + _SIGNATURE_EN,
    ),
    ("appointment_booked", "pl"): Wording(
        "Wizyta w urzędzie: {{ when }}",
        _HELLO_PL + "potwierdzamy wizytę „{{ visit }}”: {{ when }}, {{ address }}.\n\n"
        "{{ cancel_info }}" + _SIGNATURE_PL,
    ),
    ("appointment_booked", "en"): Wording(
        "Your visit at the office: {{ when }}",
        _HELLO_EN + "we confirm your visit “{{ visit }}”: {{ when }}, {{ address }}.\n\n"
        "{{ cancel_info }}" + _SIGNATURE_EN,
    ),
    ("appointment_reminder", "pl"): Wording(
        "Przypomnienie: wizyta {{ when }}",
        _HELLO_PL + "przypominamy o wizycie „{{ visit }}”: {{ when }}, {{ address }}.\n\n"
        "{{ cancel_info }}" + _SIGNATURE_PL,
    ),
    ("appointment_reminder", "en"): Wording(
        "Reminder: your visit {{ when }}",
        _HELLO_EN
        + "this is a reminder of your visit “{{ visit }}”: {{ when }}, {{ address }}.\n\n{{ cancel_info }}"
        + _SIGNATURE_EN,
    ),
    ("appointment_cancelled", "pl"): Wording(
        "Wizyta odwołana: {{ when }}",
        _HELLO_PL + "z przykrością informujemy, że wizyta „{{ visit }}” ({{ when }}) została odwołana przez urząd."
        "{% if reason %} Powód: {{ reason }}.{% endif %} Prosimy umówić nowy termin na portalu lub telefonicznie."
        + _SIGNATURE_PL,
    ),
    ("appointment_cancelled", "en"): Wording(
        "Visit cancelled: {{ when }}",
        _HELLO_EN + "we are sorry: the office cancelled your visit “{{ visit }}” ({{ when }})."
        "{% if reason %} Reason: {{ reason }}.{% endif %} Please book a new time on the portal or by phone."
        + _SIGNATURE_EN,
    ),
    ("job_announcement", "pl"): Wording(
        "{{ item_kind }}: {{ item_title }}",
        _HELLO_PL + "{{ office }} zaprasza: {{ item_kind|lower }} „{{ item_title }}”, {{ when }}, {{ place }}."
        "\n\nSzczegóły i zapisy: {{ link }}\n\nPiszemy, bo pasuje to do Pana/Pani CV lub zapisanego wyszukiwania."
        " Nie chcesz takich zaproszeń? Wypisz się jednym kliknięciem: {{ unsubscribe_link }}" + _SIGNATURE_PL,
    ),
    ("job_announcement", "en"): Wording(
        "{{ item_kind }}: {{ item_title }}",
        _HELLO_EN + "{{ office }} invites you: {{ item_kind|lower }} “{{ item_title }}”, {{ when }}, {{ place }}."
        "\n\nDetails and registration: {{ link }}\n\nWe write because it matches your CV or a saved search."
        " No more invitations like this? Unsubscribe in one click: {{ unsubscribe_link }}" + _SIGNATURE_EN,
    ),
    ("job_event_promoted", "pl"): Wording(
        "Zwolniło się miejsce: {{ item_title }}",
        _HELLO_PL + "zwolniło się miejsce, więc z listy rezerwowej trafia Pan/Pani na listę uczestników:"
        " {{ item_kind|lower }} „{{ item_title }}”, {{ when }}, {{ place }}.\n\nJeśli nie może Pan/Pani"
        " przyjść, prosimy zrezygnować, aby miejsce dostała kolejna osoba: {{ link }}" + _SIGNATURE_PL,
    ),
    ("job_event_promoted", "en"): Wording(
        "A place is yours: {{ item_title }}",
        _HELLO_EN + "a place has become free and you have moved from the waiting list to the participants:"
        " {{ item_kind|lower }} “{{ item_title }}”, {{ when }}, {{ place }}.\n\nIf you cannot come, please"
        " cancel so that the next person gets the place: {{ link }}" + _SIGNATURE_EN,
    ),
    ("job_application", "pl"): Wording(
        "Nowe zgłoszenie na ofertę: {{ offer_title }}",
        "Dzień dobry,\n\nna ofertę pracy „{{ offer_title }}” wpłynęło nowe zgłoszenie. Przeczytasz je na"
        " portalu urzędu pracy po zalogowaniu: {{ link }}\n\nDanych kandydata nie wysyłamy e-mailem." + _SIGNATURE_PL,
    ),
    ("job_application", "en"): Wording(
        "A new application for your offer: {{ offer_title }}",
        "Hello,\n\nthere is a new application for your job offer “{{ offer_title }}”. Read it on the labour"
        " office's portal after signing in: {{ link }}\n\nThe candidate's details are not sent by e-mail."
        + _SIGNATURE_EN,
    ),
    ("contract_message", "pl"): Wording(
        "Nowa wiadomość w umowie {{ contract_number }}",
        "Dzień dobry,\n\n{{ sender }} napisał(a) w sprawie umowy {{ contract_number }}. Wiadomość"
        " przeczytasz w Okienku: {{ link }}\n\nTreści wiadomości nie wysyłamy e-mailem (mogą w niej być"
        " dane osobowe uczestników)." + _SIGNATURE_PL,
    ),
    ("contract_message", "en"): Wording(
        "New message on contract {{ contract_number }}",
        "Hello,\n\n{{ sender }} wrote about contract {{ contract_number }}. Read it in Okienko: {{ link }}"
        "\n\nThe message itself is not sent by e-mail (it may hold participants' personal data)." + _SIGNATURE_EN,
    ),
    ("message_received", "pl"): Wording(
        "Otrzymaliśmy Pana/Pani wiadomość{% if case_number %} ({{ case_number }}){% endif %}",
        _HELLO_PL + "dziękujemy za wiadomość{% if subject %} „{{ subject }}”{% endif %}."
        "{% if case_number %} Dołączyliśmy ją do sprawy {{ case_number }}.{% else %} Odpowiemy najszybciej,"
        " jak to możliwe.{% endif %}\n\nTo automatyczne potwierdzenie — nie trzeba na nie odpowiadać." + _SIGNATURE_PL,
    ),
    ("message_received", "en"): Wording(
        "We have received your message{% if case_number %} ({{ case_number }}){% endif %}",
        _HELLO_EN + "thank you for your message{% if subject %} “{{ subject }}”{% endif %}."
        "{% if case_number %} We have added it to case {{ case_number }}.{% else %} We will answer as soon as"
        " we can.{% endif %}\n\nThis is an automatic acknowledgement; there is no need to reply." + _SIGNATURE_EN,
    ),
    ("email_answer", "pl"): Wording(
        "Re: {{ subject }}",
        _HELLO_PL + "{{ message }}"
        "{% if article_title %}\n\nWięcej informacji: {{ article_title }}\n{{ article_link }}{% endif %}"
        "{% if case_number %}\n\nNumer sprawy: {{ case_number }}{% endif %}" + _SIGNATURE_PL,
    ),
    ("email_answer", "en"): Wording(
        "Re: {{ subject }}",
        _HELLO_EN + "{{ message }}"
        "{% if article_title %}\n\nMore information: {{ article_title }}\n{{ article_link }}{% endif %}"
        "{% if case_number %}\n\nCase number: {{ case_number }}{% endif %}" + _SIGNATURE_EN,
    ),
    ("review_due", "pl"): Wording(
        "Przegląd artykułu: {{ article_title }}",
        _HELLO_PL + "artykuł bazy wiedzy „{{ article_title }}” ({{ office }}) ma datę przeglądu {{ review_date }}."
        " Prosimy sprawdzić, czy jest aktualny, i zmienić datę następnego przeglądu:\n{{ article_link }}"
        "\n\nTa wiadomość trafia do Pana/Pani jako właściciela artykułu.\n— Okienko",
    ),
    ("review_due", "en"): Wording(
        "Knowledge article due for review: {{ article_title }}",
        _HELLO_EN + "the knowledge article “{{ article_title }}” ({{ office }}) is due for review on"
        " {{ review_date }}. Please check that it is still correct and set the next review date:"
        "\n{{ article_link }}\n\nYou receive this message because you are the article's owner.\n— Okienko",
    ),
    ("hotspot_flagged", "pl"): Wording(
        "Wczesne ostrzeganie: skupisko zgłoszeń — {{ service }}",
        _HELLO_PL + "w jednym miejscu nagle przybyło zgłoszeń w sprawie: {{ service }} ({{ office }})."
        "\n\nOstatnie siedem dni: {{ cases }}; zwykle średnio {{ usual }} tygodniowo."
        "\nŚrodek obszaru (ok. 1,1 × 0,7 km): {{ centre }}"
        "\n\nMapa w tym miejscu: {{ map_link }}\nWszystkie skupiska z ostatnich tygodni: {{ list_link }}"
        "\n\nTa wiadomość trafia do Pana/Pani, bo ma Pan/Pani dostęp do raportów tej jednostki.\n— Okienko",
    ),
    ("hotspot_flagged", "en"): Wording(
        "Early warning: a cluster of cases — {{ service }}",
        _HELLO_EN + "cases about {{ service }} ({{ office }}) have suddenly multiplied in one place."
        "\n\nThe last seven days: {{ cases }}; usually {{ usual }} a week on average."
        "\nCentre of the area (about 1.1 × 0.7 km): {{ centre }}"
        "\n\nThe map at this place: {{ map_link }}\nAll hot spots of the last weeks: {{ list_link }}"
        "\n\nYou receive this message because you can see this office's reports.\n— Okienko",
    ),
    ("chat_transcript", "pl"): Wording(
        "Zapis rozmowy na czacie z {{ office }}",
        _HELLO_PL + "na Pana/Pani prośbę przesyłamy zapis rozmowy na czacie:\n\n{{ transcript }}" + _SIGNATURE_PL,
    ),
    ("chat_transcript", "en"): Wording(
        "Transcript of your chat with {{ office }}",
        _HELLO_EN + "as you asked, here is the transcript of our chat:\n\n{{ transcript }}" + _SIGNATURE_EN,
    ),
}

SMS: dict[tuple[str, str], Wording] = {
    ("case_registered", "pl"): Wording("", "Przyjęliśmy zgłoszenie {{ case_number }}. Stan sprawy: {{ link }}"),
    ("case_registered", "en"): Wording("", "Report {{ case_number }} received. Follow it: {{ link }}"),
    ("info_requested", "pl"): Wording("", "Sprawa {{ case_number }}: prosimy o informacje: {{ answer_link }}"),
    ("info_requested", "en"): Wording("", "Case {{ case_number }}: we need information: {{ answer_link }}"),
    ("status_changed", "pl"): Wording("", "Sprawa {{ case_number }}: {{ status }}. {{ link }}"),
    ("status_changed", "en"): Wording("", "Case {{ case_number }}: {{ status }}. {{ link }}"),
    ("case_resolved", "pl"): Wording("", "Sprawa {{ case_number }} załatwiona. {{ link }}"),
    ("case_resolved", "en"): Wording("", "Case {{ case_number }} resolved. {{ link }}"),
    ("case_assigned", "pl"): Wording("", "Sprawa {{ case_number }} trafiła do właściwej jednostki. {{ link }}"),
    ("case_assigned", "en"): Wording("", "Case {{ case_number }} passed to the responsible unit. {{ link }}"),
    ("case_reopened", "pl"): Wording("", "Sprawa {{ case_number }} wznowiona. {{ link }}"),
    ("case_reopened", "en"): Wording("", "Case {{ case_number }} reopened. {{ link }}"),
    ("case_message", "pl"): Wording("", "Sprawa {{ case_number }}: {{ message|truncatechars:300 }}"),
    ("case_message", "en"): Wording("", "Case {{ case_number }}: {{ message|truncatechars:300 }}"),
    ("job_alert", "pl"): Wording("", "{{ offers_short }} {{ link }} Wypisz: odpisz STOP. {{ office }}"),
    ("job_alert", "en"): Wording("", "{{ offers_short }} {{ link }} Unsubscribe: reply STOP. {{ office }}"),
    ("appointment_booked", "pl"): Wording(
        "", "Umówiono wizytę: {{ visit }}, {{ when }}, {{ address }}. {{ cancel_info }}"
    ),
    ("appointment_booked", "en"): Wording(
        "", "Visit booked: {{ visit }}, {{ when }}, {{ address }}. {{ cancel_info }}"
    ),
    ("appointment_reminder", "pl"): Wording(
        "", "Przypomnienie: {{ when }} wizyta „{{ visit }}”, {{ address }}. {{ cancel_info }}"
    ),
    ("appointment_reminder", "en"): Wording(
        "", "Reminder: {{ when }} visit “{{ visit }}”, {{ address }}. {{ cancel_info }}"
    ),
    ("appointment_cancelled", "pl"): Wording(
        "", "Urząd odwołał wizytę {{ when }} ({{ visit }}). Umów nowy termin: {{ link }} {{ office }}"
    ),
    ("appointment_cancelled", "en"): Wording(
        "", "The office cancelled your visit {{ when }} ({{ visit }}). Book again: {{ link }} {{ office }}"
    ),
    ("job_announcement", "pl"): Wording(
        "",
        "{{ item_kind }}: {{ item_title|truncatechars:60 }}, {{ when }}. {{ link }} Wypisz: odpisz STOP. {{ office }}",
    ),
    ("job_announcement", "en"): Wording(
        "",
        "{{ item_kind }}: {{ item_title|truncatechars:60 }}, {{ when }}. {{ link }} Unsubscribe: reply STOP."
        " {{ office }}",
    ),
    ("job_event_promoted", "pl"): Wording(
        "",
        "Zwolniło się miejsce: masz miejsce na {{ item_title|truncatechars:60 }}, {{ when }}, {{ place }}."
        " Rezygnacja: {{ link }} {{ office }}",
    ),
    ("job_event_promoted", "en"): Wording(
        "",
        "A place is free: you are in for {{ item_title|truncatechars:60 }}, {{ when }}, {{ place }}."
        " To cancel: {{ link }} {{ office }}",
    ),
    ("sms_opted_out", "pl"): Wording(
        "", "Nie będziemy już wysyłać SMS-ów z {{ office }}. Aby znów je otrzymywać, skontaktuj się z nami."
    ),
    ("sms_opted_out", "en"): Wording("", "You will get no more SMS from {{ office }}. Contact us to get them again."),
    ("sms_status", "pl"): Wording("", "Sprawa {{ case_number }}: {{ status }}. {{ link }}"),
    ("sms_status", "en"): Wording("", "Case {{ case_number }}: {{ status }}. {{ link }}"),
    ("callback_scheduled", "pl"): Wording("", "Oddzwonimy{% if callback_at %} do {{ callback_at }}{% endif %}."),
    ("callback_closed", "pl"): Wording(
        "",
        "{% if reached %}Dziękujemy za rozmowę — prośba o kontakt załatwiona.{% else %}Nie udało się do Pana/Pani"
        " dodzwonić.{% if office_phone %} Prosimy o telefon: {{ office_phone }}.{% endif %}{% endif %} {{ office }}",
    ),
    ("callback_closed", "en"): Wording(
        "",
        "{% if reached %}Thank you for the call — your callback request is handled.{% else %}We could not reach"
        " you.{% if office_phone %} Please call {{ office_phone }}.{% endif %}{% endif %} {{ office }}",
    ),
    ("callback_scheduled", "en"): Wording(
        "", "We will call you back{% if callback_at %} by {{ callback_at }}{% endif %}."
    ),
}
