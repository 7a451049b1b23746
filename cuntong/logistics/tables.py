"""Logistics list columns (``core.tables``) and the fields of its detail pages."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cuntong.core.tables import Col, Table

from .models import ExpressVolume, FeeBand, Outlet, Parcel, PriceSample, Route, VehicleRun


class VolumeExportTable(Table):
    """The headers VolumeImporter reads, so an exported file can be corrected and imported back."""

    month = Col("month", _("月份"))
    township_code = Col("township.code", _("乡镇代码"))
    township = Col("township.name", _("乡镇"))
    carrier = Col("carrier.code", _("快递公司代码"))
    inbound = Col("inbound", _("下行"))
    outbound = Col("outbound", _("上行"))

    class Meta:
        model = ExpressVolume


class VolumeTable(Table):
    month = Col("month", _("月份"), kind="link", order_by="month")
    township = Col("township.name", _("乡镇"), order_by="township__code")
    carrier = Col("carrier.short_name", _("快递公司"))
    inbound = Col("inbound", _("下行（件）"), kind="number", order_by="inbound")
    outbound = Col("outbound", _("上行（件）"), kind="number", order_by="outbound")
    source = Col("source", _("来源"))

    class Meta:
        model = ExpressVolume
        phone_hidden = ("source",)
        export = VolumeExportTable


VOLUME_DETAIL = (
    Col("month", _("月份"), kind="date"),
    Col("township", _("乡镇")),
    Col("carrier", _("快递公司")),
    Col("inbound", _("下行（收件，件）"), kind="number"),
    Col("outbound", _("上行（寄件，件）"), kind="number"),
    Col("source", _("来源")),
    Col("entered_by", _("填报人")),
    Col("updated_at", _("更新时间"), kind="datetime"),
)


class ParcelTable(Table):
    waybill = Col("waybill", _("运单号"), kind="link", order_by="waybill")
    carrier = Col("carrier.short_name", _("快递公司"))
    township = Col("township.name", _("乡镇"))
    station = Col("station.name", _("站点"))
    status = Col("status", _("状态"), kind="badge", order_by="status")
    recipient_phone = Col("recipient_phone", _("收件人电话"), kind="personal")
    arrived_at = Col("arrived_at", _("到县中心"), kind="datetime", order_by="arrived_at")
    held_until = Col("held_until", _("保管至"), kind="date")
    fee = Col("fee", _("配送费"), kind="yuan")

    class Meta:
        model = Parcel
        phone_hidden = ("carrier", "township", "recipient_phone", "arrived_at", "fee")


PARCEL_DETAIL = (
    Col("waybill", _("运单号")),
    Col("carrier", _("快递公司")),
    Col("outlet", _("网点")),
    Col("status", _("状态"), kind="badge"),
    Col("township", _("乡镇")),
    Col("village", _("行政村"), hide_empty=True),
    Col("station", _("站点"), hide_empty=True),
    Col("route", _("线路"), hide_empty=True),
    Col("run", _("车次"), hide_empty=True),
    Col("weight_g", _("重量（克）"), kind="number"),
    Col("fee", _("配送费（元）"), kind="yuan"),
    Col("recipient_phone", _("收件人电话"), kind="personal"),
    Col("arrived_at", _("到县中心时间"), kind="datetime", hide_empty=True),
    Col("delivered_at", _("送达站点时间"), kind="datetime", hide_empty=True),
    Col("held_until", _("保管至"), kind="date", hide_empty=True),
    Col("picked_up_at", _("取件时间"), kind="datetime", hide_empty=True),
    Col("returned_at", _("退回时间"), kind="datetime", hide_empty=True),
)


class OutletTable(Table):
    name = Col("name", _("网点名称"), order_by="name")
    carrier = Col("carrier.short_name", _("快递公司"))
    area = Col("area.name", _("所在区划"))
    address = Col("address", _("地址"))
    organisation = Col("organisation.name", _("所属机构"))

    class Meta:
        model = Outlet
        phone_hidden = ("address", "organisation")


class RouteTable(Table):
    code = Col("code", _("线路编号"), order_by="code")
    name = Col("name", _("线路名称"))
    township = Col("township.name", _("乡镇"))

    class Meta:
        model = Route


class RunTable(Table):
    on = Col("on", _("日期"), kind="date", order_by="on")
    route = Col("route.name", _("线路"))
    vehicle = Col("vehicle", _("车牌"))
    departed_at = Col("departed_at", _("发车时间"), kind="datetime")

    class Meta:
        model = VehicleRun


class FeeBandTable(Table):
    carrier = Col("carrier.short_name", _("快递公司"))
    max_weight_g = Col("max_weight_g", _("重量上限（克）"), kind="number")
    fee = Col("fee", _("配送费（元）"), kind="yuan")

    class Meta:
        model = FeeBand


class PriceTable(Table):
    on = Col("on", _("日期"), kind="date", order_by="on")
    carrier = Col("carrier.short_name", _("快递公司"))
    weight_kg = Col("weight_kg", _("重量档（公斤）"), kind="number")
    zone = Col("zone", _("目的地区域"))
    price = Col("price", _("价格"), kind="yuan", order_by="price")
    source = Col("source", _("来源"))

    class Meta:
        model = PriceSample
        phone_hidden = ("source",)
