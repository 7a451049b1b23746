from django.utils.translation import gettext_lazy as _

from cuntong.core.navigation import Menu, MenuItem, register

register(
    Menu(
        "logistics",
        _("快递物流"),
        order=25,
        items=(
            MenuItem(_("取件交付（手机）"), "logistics:keeper", "logistics.hand_over_parcel"),
            MenuItem(_("快递业务量"), "logistics:volume_list", "logistics.view_expressvolume"),
            MenuItem(_("业务量增长"), "logistics:growth", "logistics.view_expressvolume"),
            MenuItem(_("共同配送运单"), "logistics:parcel_list", "logistics.view_parcel"),
            MenuItem(_("县中心扫描"), "logistics:hub", "logistics.change_parcel"),
            MenuItem(_("快递公司统计"), "logistics:carriers", "logistics.view_parcel"),
            MenuItem(_("快递网点"), "logistics:outlet_list", "logistics.view_outlet"),
            MenuItem(_("配送线路"), "logistics:route_list", "logistics.view_route"),
            MenuItem(_("车次"), "logistics:run_list", "logistics.view_vehiclerun"),
            MenuItem(_("配送费标准"), "logistics:fee_list", "logistics.view_feeband"),
            MenuItem(_("快递价格监测"), "logistics:price_watch", "logistics.view_pricesample"),
            MenuItem(_("价格样本"), "logistics:price_list", "logistics.view_pricesample"),
        ),
    )
)
