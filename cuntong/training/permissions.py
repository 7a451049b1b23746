"""Who works on training. The office holds everything through its ``*.*``; business readers read through
``*.view_*``; these add the township's and the providers' own work and the revealing of trainees' numbers."""

TOWNSHIP_WORK = [
    "training.view_*",
    "training.add_session",
    "training.change_session",
    "training.add_sessionday",
    "training.change_sessionday",
    "training.add_trainee",
    "training.change_trainee",
    "training.add_enrolment",
    "training.delete_enrolment",
    "training.add_attendance",
    "training.delete_attendance",
    "training.change_followup",
    "training.add_incubation",
    "training.add_fairregistration",
    "training.change_fairregistration",
]

ROLE_PERMISSIONS = {
    "township": TOWNSHIP_WORK,
    "training_bureau": ["training.*"],
    "training_provider": [
        "training.view_session",
        "training.change_session",
        "training.view_sessionday",
        "training.view_enrolment",
        "training.add_enrolment",
        "training.view_attendance",
        "training.add_attendance",
        "training.delete_attendance",
        "training.view_provider",
        "training.view_course",
        "training.view_trainer",
    ],
    "poverty_office": ["training.view_*"],
}
