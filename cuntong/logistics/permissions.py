"""What the built-in roles may do with logistics records (the office role already has everything; read-only roles
read them through ``*.view_*``)."""

LOGISTICS_READ = [
    "logistics.view_outlet",
    "logistics.view_expressvolume",
    "logistics.view_route",
    "logistics.view_vehiclerun",
    "logistics.view_parcel",
    "logistics.view_parcelevent",
]

ROLE_PERMISSIONS = {
    # 邮政办: the county's express statistics, entered or imported each month.
    "postal": ["logistics.add_expressvolume", "logistics.change_expressvolume"],
    # 市场监管局: the price watch.
    "market_regulation": ["logistics.add_pricesample", "logistics.change_pricesample"],
    # 乡镇街道: their township's volumes and parcels.
    "township": LOGISTICS_READ,
    # 站长: hand out the parcels waiting at their station (policies.keeper_parcels).
    "station_operator": ["logistics.hand_over_parcel"],
    # A carrier's account is an own-records contractor membership with the carrier's organisation: it sees and
    # announces its outlets' parcels and reports their status, nothing else (Outlet.organisation).
    "contractor": [
        "logistics.view_outlet",
        "logistics.view_parcel",
        "logistics.add_parcel",
        "logistics.view_parcelevent",
        "logistics.add_parcelevent",
    ],
}
