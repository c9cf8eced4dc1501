"""Every sentence the bot says to a user, in one place so wording is reviewed and changed once.

Bokmål is the default; English is used when the user writes English, nynorsk when the user
writes nynorsk. The nynorsk table holds what the bot says in its own words; a key missing there
falls back to bokmål (the report's quoted text is always the report's own bokmål).
"""

from __future__ import annotations

from bot.types import Lang

REPORT_TITLE = "Departementene i førersetet for omstilling?"
REPORT_ID = "Difi-rapport 2019:3"

_NB: dict[str, str] = {
    "answer_intro_doc": "Dette sier {source}:",
    "answer_intro_docs": "Dette sier dokumentene:",
    "answer_from_doc": "Fra {source}:",
    "answer_intro_about_doc": "Om {source}:",
    "overview_intro": "Sammendraget av {source}:",
    "names_unmentioned": "{source} nevner ikke {names}.",
    "after_report": "En rapport kan ikke si hva som skjedde etter at den ble skrevet.",
    "abstain_library": (
        "Det dekker ikke dokumentene jeg bygger på ({sources}), så det kan jeg ikke svare på. "
        "Jeg svarer bare med dokumentenes egne ord. Skriv «om» for å se dokumentene, eller «hjelp» for å se hva jeg kan."
    ),
    "answer_intro": "Dette sier rapporten:",
    "answer_intro_about": "Om rapporten:",
    "answer_intro_all_recommendations": "Rapportens hovedanbefaling og de tre anbefalingene:",
    "answer_intro_all_challenges": "Rapporten ser fire hovedutfordringer:",
    "abstain": (
        "Det dekker ikke rapporten «{title}» ({report}), så det kan jeg ikke svare på. "
        "Jeg svarer bare med rapportens egne ord. Prøv å spørre om departementenes rolle i omstilling, "
        "eller skriv «hjelp» for å se hva jeg kan."
    ),
    "empty": "Du sendte en tom melding. Still et spørsmål om rapporten, eller skriv «hjelp».",
    "too_long": (
        "Meldingen er for lang ({length} tegn; grensen er {limit}). "
        "Still et kortere spørsmål, så finner jeg svaret i rapporten."
    ),
    "help": (
        "Jeg svarer på spørsmål om rapporten «{title}» ({report}) med rapportens egne ord og kildehenvisning.\n"
        "Still et spørsmål, eller bruk en kommando:\n"
        "• anbefalinger – hovedanbefalingen og anbefaling 1–3\n"
        "• anbefaling <nummer eller ord> – én anbefaling, f.eks. «anbefaling 2» eller «anbefaling tillit»\n"
        "• utfordringer – de fire hovedutfordringene\n"
        "• utfordring <nummer eller ord> – én utfordring\n"
        "• om – om rapporten\n"
        "• hjelp – denne teksten"
    ),
    "about": "«{title}» – {report}, utgitt av {publishers}. Oppdatert {updated}. Fagområder: {topics}.",
    "recommendations": "Rapportens hovedanbefaling og de tre anbefalingene:",
    "challenges": "Rapporten ser fire hovedutfordringer:",
    "unit": "Fra rapporten:",
    "keyword_match": "Det som passer best til «{keyword}»:",
    "keyword_none": "Ingen {kind} handler om «{keyword}». Skriv «{command}» for å se alle.",
    "out_of_range": "Rapporten har {kind} 1–{count}. Skriv for eksempel «{command} 1», eller «{plural}» for å se alle.",
    "kind_recommendation": "anbefaling",
    "kind_recommendations": "anbefalinger",
    "kind_challenge": "utfordring",
    "kind_challenges": "utfordringer",
    "vote_saved_up": "Takk! Tilbakemeldingen er anonym.",
    "vote_saved_down": "Takk! Tilbakemeldingen er anonym.",
    "vote_saved_none": "Stemmen din er trukket tilbake.",
    "vote_not_saved": "Beklager, tilbakemeldingen din ble ikke lagret. Prøv igjen om litt.",
    "vote_unknown": "Jeg finner ikke svaret du ga tilbakemelding på, så stemmen ble ikke lagret.",
    "welcome": (
        "Hei! Jeg svarer på spørsmål om rapporten «{title}» ({report}) med rapportens egne ord og "
        "kildehenvisning. Skriv «hjelp» for å se kommandoene."
    ),
    "helpful_prompt": "Var svaret nyttig?",
    "share": "Del i kanalen",
    "source": "Kilde",
    "page": "side",
    # Slack
    "feedback_up": "Nyttig",
    "feedback_down": "Ikke nyttig",
    "feedback_up_label": "Svaret var nyttig",
    "feedback_down_label": "Svaret var ikke nyttig",
    "working": "Et øyeblikk – jeg leter i rapporten …",
    "slack_help_hint": "Skriv `/omstilling hjelp` for å se hva jeg kan svare på.",
    "slack_usage": "I Slack: `/omstilling <spørsmål eller kommando>`, nevn meg i en kanal, eller send meg en direktemelding.",
    "share_failed": "Jeg fikk ikke delt svaret i kanalen. Legg meg til i kanalen og prøv igjen.",
    "slack_off": "Slack er ikke konfigurert: sett SLACK_BOT_TOKEN og SLACK_SIGNING_SECRET (eller SLACK_APP_TOKEN for Socket Mode).",
    "slack_socket_only": "Slack bruker Socket Mode her; HTTP-endepunktet er av (SLACK_SIGNING_SECRET er ikke satt).",
    # Teams
    "sources": "Kilder",
    "teams_usage": "I Teams: skriv til meg i en personlig chat, eller nevn meg med @ i en kanal eller gruppechat.",
    "teams_commands": "Kommandoer du kan skrive:",
    "teams_cmd_recommendations": "Hovedanbefalingen og anbefaling 1–3",
    "teams_cmd_recommendation": "Én anbefaling etter nummer eller ord, f.eks. «anbefaling 2» eller «anbefaling tillit»",
    "teams_cmd_challenges": "De fire hovedutfordringene",
    "teams_cmd_challenge": "Én utfordring etter nummer eller ord, f.eks. «utfordring 3»",
    "teams_cmd_about": "Om rapporten: tittel, utgivere, dato og fagområder",
    "teams_cmd_help": "Hva jeg kan svare på, og hvordan du spør",
    "teams_feedback_text_not_saved": "Stemmen er lagret, men kommentaren ble ikke lagret. Prøv igjen om litt.",
    "teams_error": "Beklager, noe gikk galt da jeg skulle svare. Prøv igjen om litt.",
    "teams_internal_error": "Aktiviteten kunne ikke behandles.",
    "teams_local_off": (
        "Teams er av: uten MicrosoftAppId kjører /api/messages i lokal modus (uten autentisering), og det gjør den "
        "bare når serveren lytter på en loopback-adresse (HOST={host}). Sett MicrosoftAppId og MicrosoftAppPassword, "
        "eller OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST=1 hvis porten bare kan nås fra denne maskinen."
    ),
    "teams_local_cross_site": "Lokal modus tar bare imot forespørsler fra denne maskinen, ikke fra nettsider.",
    "teams_local_json": "Lokal modus tar bare imot JSON (Content-Type: application/json).",
    "teams_app_name": "Omstillingsbot",
    "teams_app_name_full": "Omstillingsbot – Departementene i førersetet for omstilling?",
    "teams_app_short": "Svar fra Difi-rapport 2019:3 med rapportens egne ord og kilde.",
    "teams_app_full": (
        "Still spørsmål om rapporten «{title}» ({report}, Difi og DFØ). Boten svarer med rapportens egne "
        "setninger og viser hvilken utfordring eller anbefaling svaret kommer fra. Dekker ikke rapporten "
        "spørsmålet, sier boten det rett ut. Kommandoer: anbefalinger, anbefaling <nummer eller ord>, "
        "utfordringer, utfordring <nummer eller ord>, om og hjelp. Tilbakemeldinger (tommel opp/ned) er anonyme."
    ),
    "teams_package_no_app_id": (
        "MicrosoftAppId er ikke satt eller er ikke en GUID: Teams-apppakken trenger botens app-id fra Azure Bot-ressursen."
    ),
    "teams_local_mode": (
        "Teams kjører i lokal modus: MicrosoftAppId er ikke satt, så POST /api/messages godtar forespørsler uten "
        "autentisering (slik Bot Framework Emulator sender dem). Sett MicrosoftAppId og MicrosoftAppPassword før "
        "boten kobles til Teams."
    ),
    "teams_auth_on": "Teams er på: POST /api/messages krever gyldig Bot Framework-token (app-type {app_type}).",
    "teams_config_error": "Teams-oppsettet er ugyldig ({detail}). Se «Koble til Teams» i README.",
    "teams_unauthorized": "Mangler eller ugyldig Bot Framework-token.",
    "teams_bad_request": "Ugyldig aktivitet: forventet et JSON-objekt med feltet «type».",
    # Any POST whose body fails before a route sees it (bot/server.py; the Teams route mounted alone)
    "request_too_large": "Forespørselen er større enn {limit} byte.",
    "request_too_slow": "Forespørselen kom ikke fram i tide.",
    "request_broken": "Forespørselen kom ikke fram hel (avbrutt, eller en komprimering som ikke lar seg pakke ut).",
    # Operator commands: purge, backup, restore, migrate-store, terminal chat
    "ops_purged": (
        "Slettet {questions} spørsmålstekster og {comments} kommentarer fra før {before} (UTC) og "
        "{conversations} samtaletilstander; oppbevaringstiden er {days} dager. Stemmer og tellinger er beholdt."
    ),
    "ops_backup_done": "Sikkerhetskopi skrevet til {path} ({counts}).",
    "ops_restore_done": "Gjenopprettet fra {path} ({counts}). Databasen slik den var før, ligger i {previous}.",
    "ops_restore_done_new": "Gjenopprettet fra {path} til {target} ({counts}). Det fantes ingen database der fra før.",
    "ops_migrated": (
        "Kopiert til PostgreSQL, og antallet rader stemmer ({counts}). "
        "Sett DATABASE_URL til den nye databasen og start boten på nytt."
    ),
    "ops_postgres_tools": (
        "DATABASE_URL peker på PostgreSQL: ta sikkerhetskopi med pg_dump og gjenopprett med pg_restore "
        "(se «Personvern, oppbevaring og sikkerhetskopi» i README)."
    ),
    "ops_failed": "Det gikk ikke: {error}",
    "chat_welcome": (
        "Spør om rapporten «{title}» ({report}), så svarer jeg med rapportens egne ord og kilde.\n"
        "Prøv for eksempel:\n"
        "  Hva er hovedanbefalingen?\n"
        "  anbefaling 2        (eller /omstilling anbefaling 2, som i Slack)\n"
        "  utfordringer\n"
        "  hjelp\n"
        "Skriv «+» eller «-» for å si om forrige svar var nyttig. Tom linje eller Ctrl-D avslutter."
    ),
    "chat_log_file": "(Advarsler skrives til {path}; start med --verbose for å se dem her.)",
    "teams_package_bad_url": "{setting} må være en https://-adresse, ikke «{value}»",
    "teams_package_bad_public_url": (
        "--public-url må være botens offentlige https://-adresse (f.eks. https://bot.example.no), ikke «{value}»"
    ),
    "teams_package_failed": "Kan ikke lage Teams-pakken: {error}",
    "teams_package_unwritable": "Kan ikke skrive Teams-pakken til {path}: {reason}",
    "teams_package_written": "Teams-apppakke skrevet til {path}",
    "teams_package_bad_version": (
        "appversjonen må være et semantisk versjonsnummer MAJOR.MINOR.PATCH, f.eks. 1.0.1, ikke «{value}» "
        "(OMSTILLINGSBOT_TEAMS_APP_VERSION eller --app-version)"
    ),
    "teams_package_bad_length": "{setting} må ha 1–{limit} tegn (har {length})",
    "teams_package_repeated_description": "den korte beskrivelsen kan ikke gjentas i den lange (Teams' regel)",
    # Configuration errors (printed by `omstillingsbot` before it exits with status 2)
    "config_not_flag": "{name} må være true eller false (1/0, yes/no, ja/nei, on/off), ikke «{value}».",
    "config_not_int": "{name} må være et heltall fra {low} til {high}, ikke «{value}».",
    "config_not_choice": "{name} må være én av {choices}, ikke «{value}».",
    "config_not_url": "{name} må være en http- eller https-adresse, ikke «{value}».",
    "config_not_slack_id": "{name} må være en Slack-id (store bokstaver og sifre, f.eks. T0123ABCD), ikke «{value}».",
    "config_bad_database_url": "DATABASE_URL må være tom, sqlite:///STI eller en postgresql://-adresse.",
    "config_bad_hosts": "OMSTILLINGSBOT_ALLOWED_HOSTS må være vertsnavn skilt med komma (uten http:// og port), ikke «{value}».",
    # Web chat
    "web_title": "Omstillingsbot",
    "web_lead": "Spør om rapporten «{title}» ({report}). Jeg svarer med rapportens egne ord og viser hvor svaret står.",
    "web_question_label": "Spørsmålet ditt",
    "web_question_hint": "Still et spørsmål, eller skriv en kommando som «anbefaling 2».",
    "web_send": "Spør",
    "web_new_conversation": "Ny samtale",
    "web_starters": "Prøv for eksempel",
    "web_starter_1": "Hva er rapportens hovedanbefaling?",
    "web_starter_2": "Hvilke hovedutfordringer ser rapporten?",
    "web_starter_3": "Hva bør departementene gjøre overfor underliggende virksomheter?",
    "web_starter_4": "anbefaling tillit",
    "web_commands": "Kommandoer",
    "web_conversation": "Samtale",
    "web_you": "Du",
    "web_show_quote": "Vis sitert tekst",
    "web_read_report": "Les i rapporten",
    "web_error": "Beklager, jeg fikk ikke svart. Prøv igjen om litt.",
    "web_privacy": "Tommel opp/ned er anonymt. Skriv ikke personopplysninger i spørsmålet.",
    "web_privacy_kept": "Spørsmålene lagres uten navn i {days} dager og leses av rapporteierne for å forbedre boten. Tommel opp/ned er anonymt. Skriv ikke personopplysninger i spørsmålet.",
    "web_privacy_not_kept": "Spørsmålene lagres ikke. Tommel opp/ned er anonymt.",
    "web_privacy_link": "Personvernerklæring",
    "web_footer": "Svarene er sitater fra {report}, utgitt av Difi og DFØ.",
    "web_rate_limited": "For mange forespørsler på kort tid. Vent {seconds} sekunder og prøv igjen.",
    "web_cross_origin": "Forespørselen kom ikke fra denne siden, så den ble avvist.",
    "web_bad_vote": "Send {{\"answer_id\": \"…\", \"vote\": \"up\" | \"down\" | \"none\"}}.",
    "web_bad_conversation": "Feltet «conversation_id» må være tekst på høyst 128 tegn.",
    # Owners' dashboard: bokmål only, like `omstillingsbot feedback`
    "admin_title": "Eiersiden – Omstillingsbot",
    "admin_token": "Tilgangsnøkkel",
    "admin_sign_in": "Logg inn",
    "admin_sign_in_lead": "For rapportens eiere. Logg inn med tilgangsnøkkelen du har fått av driftsansvarlig.",
    "admin_sign_out": "Logg ut",
    "admin_wrong_token": "Feil tilgangsnøkkel.",
    "admin_chart_alt": "Andel tommel opp per uke og per sitert anbefaling eller utfordring",
    "admin_suggestions": "Ubesvarte spørsmål og spørsmål med tommel ned",
    "admin_suggestions_lead": (
        "Gi boten beskjed om hvert spørsmål: knytt det til delen av rapporten som svarer på det, si at rapporten "
        "ikke dekker det, eller ignorer det. Det du lærer boten, gjelder med én gang, i alle kanaler."
    ),
    "admin_question": "Spørsmål",
    "admin_answered_then": "Boten svarte",
    "admin_answered_now": "Svarer nå",
    "admin_choose": "Hva skal boten gjøre?",
    "admin_reason_refused": "ubesvart",
    "admin_reason_voted_down": "tommel ned",
    "admin_refused": "Ubesvart",
    "admin_follows": "Oppfølging av «{question}»",
    "admin_pick_unit": "Velg del …",
    "admin_teach_unit": "Del av rapporten",
    "admin_link": "Knytt til delen",
    "admin_not_covered": "Dekkes ikke av rapporten",
    "admin_ignore": "Ignorer",
    "admin_lesson_unit": "Lært {when}: knyttet til «{label}»",
    "admin_lesson_none": "Lært {when}: dekkes ikke",
    "admin_taught": "«{question}» er knyttet til «{label}». {now}",
    "admin_taught_none": "«{question}» er merket som ikke dekket av rapporten. {now}",
    "admin_ignored": "Spørsmålet er ignorert og vises ikke lenger her.",
    "admin_now_answers": "Boten svarer nå med «{label}».",
    "admin_now_refuses": "Boten svarer nå at rapporten ikke dekker det.",
    "admin_teach_invalid": (
        "Velg en del av rapporten først. (Eller: tomt spørsmål eller ugyldige tegn.) Ingenting ble endret."
    ),
    "admin_teach_store_down": "Kunne ikke lagre i databasen. Prøv igjen om litt; ingenting ble endret.",
    "admin_week": "uke {week}, {year}",
    "admin_platform_slack": "Slack",
    "admin_platform_teams": "Teams",
    "admin_platform_web": "Nettchatten",
    "admin_platform_cli": "Terminalen",
    # Teaching (bot/answering/teaching.py; `omstillingsbot teach` and the owners' page)
    "teach_bad_character": (
        "Spørsmålet inneholder et tegn som ikke kan skrives inn i korpuset ({code}: et kontrolltegn, "
        "«\ufffd» fra ugyldig UTF-8 eller et usynlig retningstegn). Skriv spørsmålet på nytt uten det."
    ),
    "teach_empty": "Spørsmålet er tomt.",
    "no_documents": ("Fant ingen dokumenter i {corpus}. Kjør boten fra mappen med repoet (der corpus/ ligger), eller "
                     "sett OMSTILLINGSBOT_CORPUS til mappen med rapporten (Markdown, tekst, HTML eller PDF)."),
    "index_first_build": ("Leser dokumentene i {corpus} og bygger indeksen (første gang tar det et par minutter; "
                          "senere bare det som er endret) …"),
    "teach_usage": "Bruk: omstillingsbot teach \"spørsmål\" DEL (A2, U3, en dels id, none eller ignore), "
                   "eller omstillingsbot teach --export",
    "teach_exported": "{written} lærte spørsmål skrevet inn i {corpus}; {kept} gjelder deler uten overskriftsnøkkel "
                      "og ligger bare i databasen.",
    "teach_failed": "Kan ikke lære boten det: {error}",
    "admin_none": "Ingen ennå.",
    "admin_votes": "Stemmer",
    "admin_store_down": "Fant ikke tilbakemeldingsdatabasen. Sjekk DATABASE_URL og at databasen kjører.",
    # Hardening of the web surface: sign-in limits, unreadable forms, a disabled dashboard, foreign hosts
    "admin_login_limited": "For mange innloggingsforsøk. Vent {seconds} sekunder og prøv igjen.",
    "admin_bad_form": "Skjemaet kunne ikke leses. Send det som vanlig skjema (application/x-www-form-urlencoded, UTF-8).",
    "admin_token_too_short": (
        "Eiersiden er slått av: OMSTILLINGSBOT_ADMIN_TOKEN har {length} tegn, men må ha minst {minimum}. "
        "Lag en ny med f.eks. «openssl rand -hex 32» og start boten på nytt."
    ),
    "admin_session_unknown": "Kunne ikke sjekke innloggingen mot databasen. Prøv igjen om litt.",
    "web_wrong_host": "Denne adressen betjenes ikke her (vertsnavnet er ikke i OMSTILLINGSBOT_ALLOWED_HOSTS).",
    # Admission control
    "busy": "Mange spør akkurat nå, så svaret kommer om litt.",
    "busy_retry": "Mange spør akkurat nå. Prøv igjen om noen sekunder.",
    # Conversations: small talk, follow-ups, the way to the source and to a person
    "smalltalk_greeting": "Hei! Jeg svarer på spørsmål om rapporten «{title}» ({report}), med rapportens egne ord.",
    "smalltalk_thanks": "Bare hyggelig! Spør gjerne om mer.",
    "smalltalk_bye": "Ha det bra! Spør når som helst om rapporten.",
    "smalltalk_who": (
        "Jeg er Omstillingsbot, en bot som svarer på spørsmål om rapporten «{title}» ({report}) fra Difi og DFØ. "
        "Jeg siterer rapporten og viser hvor svaret står."
    ),
    "smalltalk_what": (
        "Jeg kan fortelle hva rapporten «{title}» ({report}) sier om departementenes rolle i omstilling: "
        "hovedutfordringene, anbefalingene og hva de bygger på. Du kan spørre videre, f.eks. «hvorfor det?» eller «utdyp»."
    ),
    "smalltalk_sign": "Vil du gi tilbakemelding på et svar? Bruk knappene under svaret.",
    "suggested_question_1": "Hva er hovedutfordringene?",
    "suggested_question_2": "Hva bør departementene gjøre overfor underliggende virksomheter?",
    "suggested_question_3": "anbefaling 3",
    "followup_why": "Rapporten knytter dette til:",
    "followup_why_item": "Jeg tar {label}. Rapporten knytter den til:",
    "followup_why_none": "Sammendraget gir ingen egen begrunnelse for {label} ut over dette:",
    "followup_why_none_doc": "{source} gir ingen egen begrunnelse for dette ut over det som står her:",
    "followup_elaborate_item": "Jeg tar {label}, med avsnittet i rapporten som utdyper den:",
    "followup_which": "Hvilken av dem mener du?",
    "quick_why_unit": "Hvorfor {kind} {n}?",
    "quick_elaborate_unit": "Utdyp {kind} {n}",
    "as_above": "Som sitert over ({label}): «{quote}»",
    "scope_intro": "Jeg bygger på:",
    "holding_summary": "sammendraget av «{title}» ({source})",
    "holding_document": "«{title}» ({source})",
    "refusal_summary": "Sammendraget jeg bygger på sier ikke noe om dette.",
    "refusal_document": "Rapporten jeg bygger på ({source}) sier ikke noe om dette.",
    "refusal_documents": "Dokumentene jeg bygger på ({sources}) sier ikke noe om dette.",
    "refusal_full_report": "Hele rapporten: {url}",
    "ask_about": "Hva sier rapporten om {label}?",
    "next_steps_prompt": "Spør videre:",
    "polar_yes": "Ja, rapporten sier:",
    "polar_no": "Nei, rapporten sier:",
    "polar_unclear": "Rapporten sier ikke det direkte, men:",
    "followup_elaborate": "Med avsnittet i rapporten som utdyper det:",
    "followup_elaborate_none": "Sammendraget sier ikke mer om dette enn:",
    "followup_elaborate_none_doc": "{source} sier ikke mer om dette enn:",
    "followup_elaborate_section": "Her er mer fra de samme delene av dokumentet:",
    "followup_recommendation": "Dette anbefaler rapporten for å møte det:",
    "followup_challenge": "Utfordringen rapporten knytter det til:",
    "beyond_summary": "Vil du vite mer, se hele rapporten ({report}).",
    "beyond_summary_url": "Vil du vite mer, se hele rapporten: {url}",
    "contact": "Vil du snakke med noen om dette? Kontakt: {contact}",
    "assistant_greeting": (
        "Hei! Jeg svarer på spørsmål om rapporten «{title}» ({report}), med rapportens egne ord og kilde. "
        "Spør videre i tråden, for eksempel «hvorfor det?» eller «utdyp»."
    ),
    "assistant_prompts_title": "Prøv for eksempel:",
    "assistant_status": "leter i rapporten …",
    "teams_open_source": "Åpne rapporten",
    "quick_all_recommendations": "Alle anbefalinger",
    "quick_all_recommendations_cmd": "anbefalinger",
    "quick_all_challenges": "Alle utfordringer",
    "quick_all_challenges_cmd": "utfordringer",
    "quick_recommendation": "Anbefaling {n}",
    "quick_recommendation_cmd": "anbefaling {n}",
    "quick_challenge": "Utfordring {n}",
    "quick_challenge_cmd": "utfordring {n}",
    "quick_why": "Hvorfor det?",
    "quick_more": "Utdyp",
    "prompt_starter_1": "Hva er hovedutfordringene?",
    "prompt_starter_1_description": "De fire hovedutfordringene rapporten ser",
    "prompt_starter_2": "Hva anbefaler rapporten?",
    "prompt_starter_2_description": "Hovedanbefalingen og de tre anbefalingene",
    "prompt_starter_3": "Hvem står bak rapporten?",
    "prompt_starter_3_description": "Utgivere, rapportnummer og dato",
    "followup_unclear": (
        "Jeg vet ikke hva du viser til. Still gjerne hele spørsmålet, for eksempel «Hva sier rapporten om tillit?», "
        "eller skriv «anbefalinger» eller «utfordringer»."
    ),
    # Web chat: what the bot holds, next steps, sources
    "web_holdings_heading": "Dette bygger jeg på",
    "web_holding_summary": "Sammendraget av «{title}» ({source})",
    "web_holding_document": "«{title}» ({source})",
    "web_full_report": "Les hele {source}",
    "web_holdings_scope": "Står ikke svaret der, sier jeg fra.",
    "web_holdings_pending": "Jeg starter opp og leser dokumentene. Last siden på nytt om litt for å se hvilke det er.",
    "web_new_tab": "(åpnes i ny fane)",
    "web_read_source": "Les i {source}",
    "web_next_steps": "Forslag til neste spørsmål",
}

_EN: dict[str, str] = {
    "answer_intro_doc": "This is what {source} says (quoted in Norwegian):",
    "answer_intro_docs": "This is what the documents say (quoted in Norwegian):",
    "answer_from_doc": "From {source}:",
    "answer_intro_about_doc": "About {source} (the facts as the report's page gives them, in Norwegian):",
    "overview_intro": "The summary of {source} (quoted in Norwegian):",
    "names_unmentioned": "{source} does not mention {names}.",
    "after_report": "A report cannot tell what happened after it was written.",
    "abstain_library": (
        "The documents I draw on ({sources}) do not cover that, so I cannot answer it. "
        "I only answer in the documents' own words. Type «about» to see them, or «help»."
    ),
    "answer_intro": "This is what the report says (quoted in Norwegian):",
    "answer_intro_about": "About the report (the facts as its page gives them, in Norwegian):",
    "answer_intro_all_recommendations": "The report's main recommendation and its three recommendations (quoted in Norwegian):",
    "answer_intro_all_challenges": "The report sees four main challenges (quoted in Norwegian):",
    "abstain": (
        "The report «{title}» ({report}) does not cover that, so I cannot answer it. "
        "I only answer in the report's own words. Ask about the ministries' role in reform, or type «help»."
    ),
    "empty": "Your message was empty. Ask a question about the report, or type «help».",
    "too_long": "Your message is too long ({length} characters; the limit is {limit}). Please ask a shorter question.",
    "help": (
        "I answer questions about the report «{title}» ({report}) in the report's own words, with citations.\n"
        "Ask a question, or use a command:\n"
        "• recommendations – the main recommendation and recommendations 1–3\n"
        "• recommendation <number or word> – one recommendation, e.g. «recommendation 2» or «recommendation tillit»\n"
        "• challenges – the four main challenges\n"
        "• challenge <number or word> – one challenge\n"
        "• about – about the report\n"
        "• help – this text"
    ),
    "about": "«{title}» – {report}, published by {publishers}. Updated {updated}. Topics: {topics}.",
    "recommendations": "The report's main recommendation and its three recommendations:",
    "challenges": "The report sees four main challenges:",
    "unit": "From the report (quoted in Norwegian):",
    "keyword_match": "The best match for «{keyword}»:",
    "keyword_none": "No {kind} is about «{keyword}». Type «{command}» to see them all.",
    "out_of_range": "The report has {kind} 1–{count}. Type e.g. «{command} 1», or «{plural}» to see them all.",
    "kind_recommendation": "recommendation",
    "kind_recommendations": "recommendations",
    "kind_challenge": "challenge",
    "kind_challenges": "challenges",
    "vote_saved_up": "Thanks! Your feedback is anonymous.",
    "vote_saved_down": "Thanks! Your feedback is anonymous.",
    "vote_saved_none": "Your vote has been withdrawn.",
    "vote_not_saved": "Sorry, your feedback was not saved. Please try again shortly.",
    "vote_unknown": "I cannot find the answer you gave feedback on, so the vote was not saved.",
    "welcome": (
        "Hi! I answer questions about the report «{title}» ({report}) in the report's own words, "
        "with citations. Type «help» to see the commands."
    ),
    "helpful_prompt": "Was this helpful?",
    "share": "Share in channel",
    "source": "Source",
    "page": "page",
    # Slack
    "feedback_up": "Helpful",
    "feedback_down": "Not helpful",
    "feedback_up_label": "The answer was helpful",
    "feedback_down_label": "The answer was not helpful",
    "working": "One moment – I am searching the report …",
    "slack_help_hint": "Type `/omstilling help` to see what I can answer.",
    "slack_usage": "In Slack: `/omstilling <question or command>`, mention me in a channel, or send me a direct message.",
    "share_failed": "I could not share the answer in the channel. Add me to the channel and try again.",
    "slack_off": "Slack is not configured: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode).",
    "slack_socket_only": "Slack uses Socket Mode here; the HTTP endpoint is off (SLACK_SIGNING_SECRET is not set).",
    # Teams
    "sources": "Sources",
    "teams_usage": "In Teams: write to me in a personal chat, or @mention me in a channel or group chat.",
    "teams_commands": "Commands you can type:",
    "teams_cmd_recommendations": "The main recommendation and recommendations 1–3",
    "teams_cmd_recommendation": "One recommendation by number or word, e.g. «recommendation 2»",
    "teams_cmd_challenges": "The four main challenges",
    "teams_cmd_challenge": "One challenge by number or word, e.g. «challenge 3»",
    "teams_cmd_about": "About the report: title, publishers, date and topics",
    "teams_cmd_help": "What I can answer, and how to ask",
    "teams_feedback_text_not_saved": "Your vote was saved, but your comment was not. Please try again shortly.",
    "teams_error": "Sorry, something went wrong while answering. Please try again shortly.",
    "teams_internal_error": "The activity could not be processed.",
    "teams_local_off": (
        "Teams is off: without MicrosoftAppId /api/messages runs in local mode (no authentication), and it does so "
        "only while the server listens on a loopback address (HOST={host}). Set MicrosoftAppId and "
        "MicrosoftAppPassword, or OMSTILLINGSBOT_TEAMS_LOCAL_ANY_HOST=1 if the port can only be reached from this machine."
    ),
    "teams_local_cross_site": "Local mode only accepts requests from this machine, not from web pages.",
    "teams_local_json": "Local mode only accepts JSON (Content-Type: application/json).",
    "teams_app_name": "Omstillingsbot",
    "teams_app_name_full": "Omstillingsbot – Departementene i førersetet for omstilling?",
    "teams_app_short": "Answers from Difi report 2019:3 in the report's own words, with sources.",
    "teams_app_full": (
        "Ask about the report «{title}» ({report}, Difi and DFØ). The bot answers with the report's own "
        "sentences and shows which challenge or recommendation the answer comes from. When the report does not "
        "cover a question, the bot says so. Commands: recommendations, recommendation <number or word>, "
        "challenges, challenge <number or word>, about and help. Feedback (thumbs up/down) is anonymous."
    ),
    "teams_package_no_app_id": (
        "MicrosoftAppId is not set or is not a GUID: the Teams app package needs the bot's app id from the Azure Bot resource."
    ),
    "teams_local_mode": (
        "Teams runs in local mode: MicrosoftAppId is not set, so POST /api/messages accepts unauthenticated requests "
        "(as the Bot Framework Emulator sends them). Set MicrosoftAppId and MicrosoftAppPassword before connecting Teams."
    ),
    "teams_auth_on": "Teams is on: POST /api/messages requires a valid Bot Framework token (app type {app_type}).",
    "teams_config_error": "The Teams configuration is invalid ({detail}). See «Koble til Teams» in the README.",
    "teams_unauthorized": "Missing or invalid Bot Framework token.",
    "teams_bad_request": "Invalid activity: expected a JSON object with a «type» field.",
    "request_too_large": "The request is larger than {limit} bytes.",
    "request_too_slow": "The request did not arrive in time.",
    "request_broken": "The request did not arrive whole (cut off, or compressed in a way that cannot be unpacked).",
    # Operator commands
    "ops_purged": (
        "Removed {questions} question texts and {comments} comments from before {before} (UTC) and "
        "{conversations} conversation states; the retention period is {days} days. Votes and counts are kept."
    ),
    "ops_backup_done": "Backup written to {path} ({counts}).",
    "ops_restore_done": "Restored from {path} ({counts}). The database as it was before is in {previous}.",
    "ops_restore_done_new": "Restored from {path} to {target} ({counts}). There was no database there before.",
    "ops_migrated": (
        "Copied to PostgreSQL and the row counts match ({counts}). "
        "Set DATABASE_URL to the new database and restart the bot."
    ),
    "ops_postgres_tools": "DATABASE_URL points to PostgreSQL: back it up with pg_dump and restore with pg_restore.",
    "ops_failed": "That did not work: {error}",
    "chat_welcome": (
        "Ask about the report «{title}» ({report}) and I answer with the report's own words and a source.\n"
        "Try for example:\n"
        "  What is the main recommendation?\n"
        "  recommendation 2   (or /omstilling recommendation 2, as in Slack)\n"
        "  challenges\n"
        "  help\n"
        "Type «+» or «-» to say whether the last answer was helpful. An empty line or Ctrl-D ends the chat."
    ),
    "chat_log_file": "(Warnings go to {path}; start with --verbose to see them here.)",
    "teams_package_bad_url": "{setting} must be an https:// address, not «{value}»",
    "teams_package_bad_public_url": (
        "--public-url must be the bot's public https:// address (e.g. https://bot.example.no), not «{value}»"
    ),
    "teams_package_failed": "Cannot make the Teams package: {error}",
    "teams_package_unwritable": "Cannot write the Teams package to {path}: {reason}",
    "teams_package_written": "Teams app package written to {path}",
    "teams_package_bad_version": (
        "the app version must be a semantic version MAJOR.MINOR.PATCH, e.g. 1.0.1, not «{value}» "
        "(OMSTILLINGSBOT_TEAMS_APP_VERSION or --app-version)"
    ),
    "teams_package_bad_length": "{setting} must have 1–{limit} characters (has {length})",
    "teams_package_repeated_description": "the short description must not be repeated in the long one (Teams' rule)",
    # Configuration errors (printed by `omstillingsbot` before it exits with status 2)
    "config_not_flag": "{name} must be true or false (1/0, yes/no, ja/nei, on/off), not «{value}».",
    "config_not_int": "{name} must be a whole number from {low} to {high}, not «{value}».",
    "config_not_choice": "{name} must be one of {choices}, not «{value}».",
    "config_not_url": "{name} must be an http or https address, not «{value}».",
    "config_bad_database_url": "DATABASE_URL must be empty, sqlite:///PATH or a postgresql:// URL.",
    # Web chat
    "web_title": "Omstillingsbot",
    "web_lead": "Ask about the report «{title}» ({report}). I answer in the report's own words and show where the answer comes from.",
    "web_question_label": "Your question",
    "web_question_hint": "Ask a question, or type a command such as «recommendation 2».",
    "web_send": "Ask",
    "web_new_conversation": "New conversation",
    "web_starters": "Try for example",
    "web_starter_1": "What is the report's main recommendation?",
    "web_starter_2": "What are the main challenges?",
    "web_starter_3": "What should ministries do towards their agencies?",
    "web_starter_4": "recommendation 3",
    "web_commands": "Commands",
    "web_conversation": "Conversation",
    "web_you": "You",
    "web_show_quote": "Show quoted text",
    "web_read_report": "Read in the report",
    "web_error": "Sorry, I could not answer. Please try again shortly.",
    "web_privacy": "Thumbs up/down is anonymous. Please do not write personal data in your question.",
    "web_privacy_kept": "Questions are stored without names for {days} days and read by the report's owners to improve the bot. Thumbs up/down is anonymous. Please do not write personal data in your question.",
    "web_privacy_not_kept": "Questions are not stored. Thumbs up/down is anonymous.",
    "web_privacy_link": "Privacy statement",
    "web_footer": "The answers are quotations from {report}, published by Difi and DFØ.",
    "web_rate_limited": "Too many requests in a short time. Wait {seconds} seconds and try again.",
    "web_cross_origin": "The request did not come from this site, so it was refused.",
    "web_bad_vote": "Send {{\"answer_id\": \"…\", \"vote\": \"up\" | \"down\" | \"none\"}}.",
    "web_bad_conversation": "The field «conversation_id» must be text of at most 128 characters.",
    "web_wrong_host": "This address is not served here (the host name is not in OMSTILLINGSBOT_ALLOWED_HOSTS).",
    # Admission control
    "busy": "Many people are asking right now, so the answer will take a moment.",
    "busy_retry": "Many people are asking right now. Please try again in a few seconds.",
    # Conversations: small talk, follow-ups, the way to the source and to a person
    "smalltalk_greeting": "Hi! I answer questions about the report «{title}» ({report}), in the report's own words.",
    "smalltalk_thanks": "You're welcome! Feel free to ask more.",
    "smalltalk_bye": "Goodbye! Ask about the report any time.",
    "smalltalk_who": (
        "I am Omstillingsbot, a bot that answers questions about the report «{title}» ({report}) by Difi and DFØ. "
        "I quote the report and show where the answer comes from."
    ),
    "smalltalk_what": (
        "I can tell you what the report «{title}» ({report}) says about the ministries' role in reform: "
        "the main challenges, the recommendations and what they rest on. You can ask follow-ups such as «why?» or «elaborate»."
    ),
    "smalltalk_sign": "Want to give feedback on an answer? Use the buttons below the answer.",
    "suggested_question_1": "What are the main challenges?",
    "suggested_question_2": "What should the ministries do towards their agencies?",
    "suggested_question_3": "recommendation 3",
    "followup_why": "The report links this to (quoted in Norwegian):",
    "followup_why_item": "Taking {label}: the report links it to (quoted in Norwegian):",
    "followup_why_none": "The summary gives no reason for {label} beyond this (quoted in Norwegian):",
    "followup_why_none_doc": "{source} gives no reason for this beyond what it says here (quoted in Norwegian):",
    "followup_elaborate_item": "Taking {label}, with the paragraph of the report that elaborates it (quoted in Norwegian):",
    "followup_which": "Which of them do you mean?",
    "quick_why_unit": "Why {kind} {n}?",
    "quick_elaborate_unit": "More about {kind} {n}",
    "as_above": "As quoted above ({label}): «{quote}»",
    "scope_intro": "I draw on:",
    "holding_summary": "the summary of «{title}» ({source})",
    "holding_document": "«{title}» ({source})",
    "refusal_summary": "The summary I draw on says nothing about this.",
    "refusal_document": "The report I draw on ({source}) says nothing about this.",
    "refusal_documents": "The documents I draw on ({sources}) say nothing about this.",
    "refusal_full_report": "The full report: {url}",
    "ask_about": "What does the report say about {label}?",
    "next_steps_prompt": "Ask next:",
    "polar_yes": "Yes, the report says (in Norwegian):",
    "polar_no": "No, the report says (in Norwegian):",
    "polar_unclear": "The report does not say so directly, but (in Norwegian):",
    "followup_elaborate": "With the paragraph of the report that elaborates it (quoted in Norwegian):",
    "followup_elaborate_none": "The summary says no more about this than (quoted in Norwegian):",
    "followup_elaborate_none_doc": "{source} says no more about this than (quoted in Norwegian):",
    "followup_elaborate_section": "Here is more from the same parts of the document (quoted in Norwegian):",
    "followup_recommendation": "This is what the report recommends to meet it (quoted in Norwegian):",
    "followup_challenge": "The challenge the report links it to (quoted in Norwegian):",
    "beyond_summary": "For more, see the full report ({report}).",
    "beyond_summary_url": "For more, see the full report: {url}",
    "contact": "Want to talk to someone about this? Contact: {contact}",
    "assistant_greeting": (
        "Hi! I answer questions about the report «{title}» ({report}) in the report's own words, with sources. "
        "Ask follow-ups in the thread, such as «why?» or «elaborate»."
    ),
    "assistant_prompts_title": "Try for example:",
    "assistant_status": "searching the report …",
    "teams_open_source": "Open the report",
    "quick_all_recommendations": "All recommendations",
    "quick_all_recommendations_cmd": "recommendations",
    "quick_all_challenges": "All challenges",
    "quick_all_challenges_cmd": "challenges",
    "quick_recommendation": "Recommendation {n}",
    "quick_recommendation_cmd": "recommendation {n}",
    "quick_challenge": "Challenge {n}",
    "quick_challenge_cmd": "challenge {n}",
    "quick_why": "Why?",
    "quick_more": "Tell me more",
    "followup_unclear": (
        "I am not sure what you are referring to. Please ask the whole question, e.g. «What does the report say "
        "about trust?», or type «recommendations» or «challenges»."
    ),
    # Web chat: what the bot holds, next steps, sources
    "web_holdings_heading": "What I draw on",
    "web_holding_summary": "The summary of «{title}» ({source})",
    "web_holding_document": "«{title}» ({source})",
    "web_full_report": "Read the full {source}",
    "web_holdings_scope": "If the answer is not there, I say so.",
    "web_holdings_pending": "I am starting up and reading the documents. Reload the page in a moment to see which they are.",
    "web_new_tab": "(opens in a new tab)",
    "web_read_source": "Read in {source}",
    "web_next_steps": "Suggested next questions",
}


_NN: dict[str, str] = {
    "answer_intro_doc": "Dette seier {source}:",
    "answer_intro_docs": "Dette seier dokumenta:",
    "answer_from_doc": "Frå {source}:",
    "answer_intro_about_doc": "Om {source}:",
    "overview_intro": "Samandraget av {source}:",
    "names_unmentioned": "{source} nemner ikkje {names}.",
    "after_report": "Ein rapport kan ikkje seie kva som skjedde etter at han vart skriven.",
    "abstain_library": (
        "Det dekkjer ikkje dokumenta eg byggjer på ({sources}), så det kan eg ikkje svare på. "
        "Eg svarar berre med orda i dokumenta. Skriv «om» for å sjå dokumenta, eller «hjelp» for å sjå kva eg kan."
    ),
    "answer_intro": "Dette seier rapporten:",
    "answer_intro_about": "Om rapporten:",
    "answer_intro_all_recommendations": "Hovudtilrådinga i rapporten og dei tre tilrådingane:",
    "answer_intro_all_challenges": "Rapporten ser fire hovudutfordringar:",
    "abstain": (
        "Det dekkjer ikkje rapporten «{title}» ({report}), så det kan eg ikkje svare på. "
        "Eg svarar berre med orda i rapporten. Prøv å spørje om rolla til departementa i omstilling, "
        "eller skriv «hjelp» for å sjå kva eg kan."
    ),
    "empty": "Du sende ei tom melding. Still eit spørsmål om rapporten, eller skriv «hjelp».",
    "too_long": (
        "Meldinga er for lang ({length} teikn; grensa er {limit}). "
        "Still eit kortare spørsmål, så finn eg svaret i rapporten."
    ),
    "recommendations": "Hovudtilrådinga i rapporten og dei tre tilrådingane:",
    "challenges": "Rapporten ser fire hovudutfordringar:",
    "unit": "Frå rapporten:",
    "keyword_match": "Det som passar best til «{keyword}»:",
    "vote_saved_up": "Takk! Tilbakemeldinga er anonym.",
    "vote_saved_down": "Takk! Tilbakemeldinga er anonym.",
    "vote_saved_none": "Stemma di er trekt tilbake.",
    "vote_not_saved": "Orsak, tilbakemeldinga di vart ikkje lagra. Prøv igjen om litt.",
    "vote_unknown": "Eg finn ikkje svaret du gav tilbakemelding på, så stemma vart ikkje lagra.",
    "helpful_prompt": "Var svaret nyttig?",
    "source": "Kjelde",
    "sources": "Kjelder",
    "busy": "Mange spør akkurat no, så svaret kjem om litt.",
    "busy_retry": "Mange spør akkurat no. Prøv igjen om nokre sekund.",
    # Conversations
    "smalltalk_greeting": "Hei! Eg svarar på spørsmål om rapporten «{title}» ({report}), med orda i rapporten.",
    "smalltalk_thanks": "Berre hyggeleg! Spør gjerne om meir.",
    "smalltalk_bye": "Ha det bra! Spør når som helst om rapporten.",
    "smalltalk_who": (
        "Eg er Omstillingsbot, ein bot som svarar på spørsmål om rapporten «{title}» ({report}) frå Difi og DFØ. "
        "Eg siterer rapporten og viser kvar svaret står."
    ),
    "smalltalk_what": (
        "Eg kan fortelje kva rapporten «{title}» ({report}) seier om rolla til departementa i omstilling: "
        "hovudutfordringane, tilrådingane og kva dei byggjer på. Du kan spørje vidare, t.d. «kvifor det?» eller «utdjup»."
    ),
    "smalltalk_sign": "Vil du gi tilbakemelding på eit svar? Bruk knappane under svaret.",
    "suggested_question_1": "Kva er hovudutfordringane?",
    "suggested_question_2": "Kva bør departementa gjere overfor underliggjande verksemder?",
    "suggested_question_3": "anbefaling 3",
    "followup_why": "Rapporten knyter dette til:",
    "followup_why_item": "Eg tek {label}. Rapporten knyter han til:",
    "followup_why_none": "Samandraget gir inga eiga grunngjeving for {label} ut over dette:",
    "followup_why_none_doc": "{source} gjev inga eiga grunngjeving for dette ut over det som står her:",
    "followup_elaborate_item": "Eg tek {label}, med avsnittet i rapporten som utdjupar han:",
    "followup_which": "Kva for ein av dei meiner du?",
    "quick_why_unit": "Kvifor {kind} {n}?",
    "quick_elaborate_unit": "Utdjup {kind} {n}",
    "as_above": "Som sitert over ({label}): «{quote}»",
    "scope_intro": "Eg byggjer på:",
    "holding_summary": "samandraget av «{title}» ({source})",
    "holding_document": "«{title}» ({source})",
    "refusal_summary": "Samandraget eg byggjer på seier ikkje noko om dette.",
    "refusal_document": "Rapporten eg byggjer på ({source}) seier ikkje noko om dette.",
    "refusal_documents": "Dokumenta eg byggjer på ({sources}) seier ikkje noko om dette.",
    "refusal_full_report": "Heile rapporten: {url}",
    "ask_about": "Kva seier rapporten om {label}?",
    "next_steps_prompt": "Spør vidare:",
    "polar_yes": "Ja, rapporten seier:",
    "polar_no": "Nei, rapporten seier:",
    "polar_unclear": "Rapporten seier ikkje det direkte, men:",
    "followup_elaborate": "Med avsnittet i rapporten som utdjupar det:",
    "followup_elaborate_none": "Samandraget seier ikkje meir om dette enn:",
    "followup_elaborate_none_doc": "{source} seier ikkje meir om dette enn:",
    "followup_elaborate_section": "Her er meir frå dei same delane av dokumentet:",
    "followup_recommendation": "Dette tilrår rapporten for å møte det:",
    "followup_challenge": "Utfordringa rapporten knyter det til:",
    "beyond_summary": "Vil du vite meir, sjå heile rapporten ({report}).",
    "beyond_summary_url": "Vil du vite meir, sjå heile rapporten: {url}",
    "contact": "Vil du snakke med nokon om dette? Kontakt: {contact}",
    "teams_open_source": "Opne rapporten",
    "quick_all_recommendations": "Alle tilrådingar",
    "quick_all_challenges": "Alle utfordringar",
    "quick_all_challenges_cmd": "utfordringar",
    "quick_all_recommendations_cmd": "anbefalingar",
    "quick_why": "Kvifor det?",
    "quick_more": "Utdjup",
    "followup_unclear": (
        "Eg veit ikkje kva du viser til. Still gjerne heile spørsmålet, til dømes «Kva seier rapporten om tillit?», "
        "eller skriv «anbefalingar» eller «utfordringar»."
    ),
    # Web chat: what the bot holds, next steps, sources
    "web_holdings_heading": "Dette byggjer eg på",
    "web_holding_summary": "Samandraget av «{title}» ({source})",
    "web_holding_document": "«{title}» ({source})",
    "web_full_report": "Les heile {source}",
    "web_holdings_scope": "Står ikkje svaret der, seier eg frå.",
    "web_holdings_pending": "Eg startar opp og les dokumenta. Last sida på nytt om litt for å sjå kva for nokre det er.",
    "web_new_tab": "(opnast i ny fane)",
    "web_read_source": "Les i {source}",
    "web_next_steps": "Forslag til neste spørsmål",
}

_TABLES = {"nb": _NB, "nn": _NN, "en": _EN}


SUGGESTED_QUESTIONS = 3


def suggested_questions(lang: Lang = "nb") -> list[str]:
    """Two or three questions a new user could ask (small talk replies, Slack's suggested prompts)."""
    return [text(f"suggested_question_{n}", lang) for n in range(1, SUGGESTED_QUESTIONS + 1)]


def text(key: str, lang: Lang = "nb", **values: object) -> str:
    """The sentence `key` in the user's language; a key without a nynorsk text is said in bokmål."""
    table = _TABLES.get(lang, _NB)
    if key not in table:
        table = _NB
    values.setdefault("title", REPORT_TITLE)
    values.setdefault("report", REPORT_ID)
    return table[key].format(**values)
