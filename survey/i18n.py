"""The two interface languages (中文 default, English) and their UI strings.

Questionnaire text comes bilingual from the questionnaire itself; this module holds only the
strings of the pages around it.  The chosen language is kept in the session (``?lang=en``).
"""

from __future__ import annotations

from flask import request, session

LANGUAGES = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "start": ("开始答题", "Start"),
    "continue": ("继续答题", "Continue"),
    "next": ("下一页", "Next"),
    "back": ("上一页", "Back"),
    "submit": ("提交问卷", "Submit"),
    "privacy": ("隐私说明", "Privacy"),
    "minutes": ("预计用时约 {n} 分钟", "About {n} minutes"),
    "progress": ("第 {page} 页，共 {pages} 页", "Page {page} of {pages}"),
    "required": ("必答", "required"),
    "optional": ("选答", "optional"),
    "fix_errors": ("请检查标出的题目。", "Please check the marked questions."),
    "thanks_title": ("感谢您的参与！", "Thank you!"),
    "thanks_body": ("您的回答已提交，祝您生活愉快。", "Your answers have been submitted."),
    "ineligible_title": ("感谢您的参与", "Thank you"),
    "ineligible_body": (
        "本次调查面向在本市居住满6个月、年满18岁的居民，您无需继续作答。",
        "This survey is for residents aged 18 or over who have lived here at least 6 months; "
        "there is nothing more to answer.",
    ),
    "already_title": ("本户已完成问卷", "This household has already answered"),
    "already_body": (
        "此二维码对应的问卷已经提交，每户只能提交一次，感谢您的支持。",
        "The questionnaire for this QR code has already been submitted; each household answers once.",
    ),
    "busy_title": ("本户问卷正在填写中", "This household's questionnaire is being answered"),
    "busy_body": (
        "此二维码的问卷已经开始填写，为避免覆盖已保存的回答，本次提交未被保存。如需继续填写，请返回首页点击“继续答题”。",
        "Answers for this QR code were already started, so this submission was not saved to avoid overwriting "
        "them. To carry on, go back to the start page and choose Continue.",
    ),
    "resume": ("您上次的回答已保存，可以继续。", "Your earlier answers were saved; you can continue."),
    "community": ("社区", "Community"),
    "next_birthday": (
        "请由家中年满18岁、下一个过生日的成年人填写本问卷（每户只由一位成年人填写）。",
        "Please ask the adult (18 or over) in your household whose birthday comes next to answer "
        "(one adult answers for each household).",
    ),
    "closed_title": ("本轮调查已结束", "This survey round has closed"),
    "closed_body": ("本轮调查已经结束，不再接受回答，本次提交未被保存。感谢您的关注。",
                    "This round of the survey has ended and accepts no more answers; this submission was not "
                    "saved. Thank you for your interest."),
    "not_started_title": ("本轮调查尚未开始", "This survey round has not started"),
    "not_started_body": ("本轮调查尚未开始，暂不接受回答，请在调查开始后再扫码填写。",
                         "This round of the survey has not started yet; please scan the code again once it has."),
    "saved_note": ("每页回答提交后即保存，可随时中断、稍后用同一二维码继续。",
                   "Each page is saved when you go on: you can stop and continue later with the same QR code."),
}


def current_language() -> str:
    """``?lang=`` wins and is remembered in the session; otherwise the session's, else Chinese."""
    lang = request.args.get("lang")
    if lang in LANGUAGES:
        session["lang"] = lang
        return lang
    return session.get("lang", "zh") if session.get("lang") in LANGUAGES else "zh"


def translate(key: str, lang: str | None = None, **values) -> str:
    zh, en = STRINGS[key]
    text = en if (lang or current_language()) == "en" else zh
    return text.format(**values) if values else text


def install(app) -> None:
    """Expose ``t(key, **values)`` and ``lang`` to every template."""

    @app.context_processor
    def inject():
        lang = current_language() if request else "zh"
        return {"lang": lang,
                "t": lambda key, language=None, **values: translate(key, language or lang, **values)}
