"""What the built-in roles may do with stations (the office role already has everything)."""

STATION_READ = [
    "stations.view_station",
    "stations.view_stationevent",
    "stations.view_monthlyreport",
    "stations.view_reportrevision",
    "stations.view_checkin",
]

ROLE_PERMISSIONS = {
    # 站长: their own station's reports and check-ins (own_records_only narrows every grant to their stations).
    "station_operator": [
        *STATION_READ,
        "stations.add_monthlyreport",
        "stations.change_monthlyreport",
        "stations.add_checkin",
        "stations.change_checkin",
        "attachments.view_attachment",
        "attachments.add_attachment",
    ],
    # 乡镇街道: their township's network — propose stations and candidate sites, follow reports and management.
    "township": [
        *STATION_READ,
        "stations.add_station",
        "stations.change_station",
        "stations.view_managementproposal",
        "stations.view_candidatesite",
        "stations.add_candidatesite",
        "stations.change_candidatesite",
        "attachments.view_attachment",
        "attachments.add_attachment",
    ],
    # 农商行: the financial services at stations.
    "bank": STATION_READ,
}
