"""The resources the simulator serves, with PrestaShop 8.2's fields in response order.

Field lists follow each class's ``$definition`` and ``$webserviceParameters``
(``classes/Product.php``, ``Combination.php``, ``stock/StockAvailable.php``,
``Customer.php``, ``Address.php``, ``Cart.php``, ``order/Order*.php``, ``Carrier.php``,
``Country.php``, ``Currency.php``, ``Language.php``, ``Configuration.php``).
"""

from __future__ import annotations

from amazon_jobs.shop_simulator.schema import Association, Resource, parse_fields

__all__ = ["RESOURCES", "resource"]


PRODUCTS = Resource(
    "products",
    "product",
    "The products",
    parse_fields("""
        id_manufacturer int isUnsignedId fk=manufacturers
        id_supplier int isUnsignedId fk=suppliers
        id_category_default int isUnsignedId fk=categories
        new str
        cache_default_attribute int
        id_default_image str computed fk=images
        id_default_combination str computed fk=combinations
        id_tax_rules_group int isUnsignedId fk=tax_rule_groups
        position_in_category str computed
        manufacturer_name str ro computed
        quantity str ro
        type str computed
        id_shop_default int isUnsignedId
        reference str isReference max=64
        supplier_reference str isReference max=64
        location str isString max=255
        width float isUnsignedFloat
        height float isUnsignedFloat
        depth float isUnsignedFloat
        weight float isUnsignedFloat
        quantity_discount bool isBool
        ean13 str isEan13 max=13
        isbn str isIsbn max=32
        upc str isUpc max=12
        mpn str isMpn max=40
        cache_is_pack bool isBool
        cache_has_attachments bool isBool
        is_virtual bool isBool
        state int isUnsignedId
        additional_delivery_times int isUnsignedId
        delivery_in_stock str isGenericName lang max=255
        delivery_out_stock str isGenericName lang max=255
        product_type str isGenericName
        on_sale bool isBool
        online_only bool isBool
        ecotax float isPrice
        minimal_quantity int isPositiveInt
        low_stock_threshold int isInt
        low_stock_alert bool isBool
        price float isPrice req
        wholesale_price float isPrice
        unity str isString
        unit_price float isPrice
        unit_price_ratio float
        additional_shipping_cost float isPrice
        customizable int isUnsignedInt
        text_fields int isUnsignedInt
        uploadable_files int isUnsignedInt
        active bool isBool
        redirect_type str isString
        id_type_redirected int isUnsignedId
        available_for_order bool isBool
        available_date date isDateFormat
        show_condition bool isBool
        condition str isGenericName
        show_price bool isBool
        indexed bool isBool
        visibility str isProductVisibility
        advanced_stock_management bool isBool
        date_add date isDate
        date_upd date isDate
        pack_stock_type int isUnsignedInt
        meta_description str isGenericName lang max=512
        meta_keywords str isGenericName lang max=255
        meta_title str isGenericName lang max=255
        link_rewrite str isLinkRewrite lang max=128
        name str isCatalogName lang max=128
        description str isCleanHtml lang
        description_short str isCleanHtml lang
        available_now str isGenericName lang max=255
        available_later str isGenericName lang max=255
    """),
    (
        Association("categories", "category", ("id",), "categories"),
        Association("images", "image", ("id",), "images"),
        Association("combinations", "combination", ("id",), "combinations"),
        Association(
            "product_option_values", "product_option_value", ("id",), "product_option_values"
        ),
        Association(
            "product_features", "product_feature", ("id", "id_feature_value"), "product_features"
        ),
        Association("tags", "tag", ("id",), "tags"),
        Association(
            "stock_availables",
            "stock_available",
            ("id", "id_product_attribute"),
            "stock_availables",
            read_only=True,
        ),
        Association("attachments", "attachment", ("id",), "attachments"),
        Association("accessories", "product", ("id",), "products"),
        Association(
            "product_bundle", "product", ("id", "id_product_attribute", "quantity"), "products"
        ),
    ),
    class_name="Product",
)

COMBINATIONS = Resource(
    "combinations",
    "combination",
    "The product combinations",
    parse_fields("""
        id_product int isUnsignedId req fk=products
        ean13 str isEan13 max=13
        isbn str isIsbn max=32
        upc str isUpc max=12
        mpn str isMpn max=40
        reference str max=64
        supplier_reference str max=64
        wholesale_price float isNegativePrice max=27
        price float isNegativePrice max=20
        ecotax float isPrice max=20
        weight float isFloat
        unit_price_impact float isNegativePrice max=20
        minimal_quantity int isPositiveInt req
        low_stock_threshold int isInt
        low_stock_alert bool isBool
        default_on bool isBool
        available_date date isDateFormat
        available_now str isGenericName lang max=255
        available_later str isGenericName lang max=255
    """),
    (
        Association(
            "product_option_values", "product_option_value", ("id",), "product_option_values"
        ),
        Association("images", "image", ("id",), "images"),
    ),
    class_name="Combination",
)

STOCK_AVAILABLES = Resource(
    "stock_availables",
    "stock_available",
    "Available quantities",
    parse_fields("""
        id_product int isUnsignedId req fk=products
        id_product_attribute int isUnsignedId req
        id_shop int isUnsignedId fk=shops
        id_shop_group int isUnsignedId fk=shop_groups
        quantity int isInt req
        depends_on_stock bool isBool req
        out_of_stock int isInt req
        location str isString max=255
    """),
    methods=frozenset({"GET", "HEAD", "PUT", "PATCH"}),
    class_name="StockAvailable",
)

CUSTOMERS = Resource(
    "customers",
    "customer",
    "The e-shop's customers",
    parse_fields("""
        id_default_group int fk=groups
        id_lang int isUnsignedId fk=languages
        newsletter_date_add date
        ip_registration_newsletter str
        last_passwd_gen str
        secure_key str isMd5
        deleted bool isBool
        passwd str isHashedPassword req max=255
        lastname str isCustomerName req max=255
        firstname str isCustomerName req max=255
        email str isEmail req max=255
        id_gender int isUnsignedId fk=genders
        birthday date isBirthDate
        newsletter bool isBool
        optin bool isBool
        website str isUrl
        company str isGenericName
        siret str isGenericName
        ape str isApe
        outstanding_allow_amount float isFloat
        show_public_prices bool isBool
        id_risk int isUnsignedInt
        max_payment_days int isUnsignedInt
        active bool isBool
        note str
        is_guest bool isBool
        id_shop int isUnsignedId fk=shops
        id_shop_group int isUnsignedId fk=shop_groups
        date_add date isDate
        date_upd date isDate
        reset_password_token str isSha1 max=40
        reset_password_validity date isDateOrNull
    """),
    (Association("groups", "group", ("id",), "groups"),),
    class_name="Customer",
)

ADDRESSES = Resource(
    "addresses",
    "address",
    "The Customer, Brand and Customer addresses",
    parse_fields("""
        id_customer int isNullOrUnsignedId fk=customers
        id_manufacturer int isNullOrUnsignedId fk=manufacturers
        id_supplier int isNullOrUnsignedId fk=suppliers
        id_warehouse int isNullOrUnsignedId fk=warehouses
        id_country int isUnsignedId req fk=countries
        id_state int isNullOrUnsignedId fk=states
        alias str isGenericName req max=32
        company str isGenericName max=255
        lastname str isName req max=255
        firstname str isName req max=255
        vat_number str isGenericName
        address1 str isAddress req max=128
        address2 str isAddress max=128
        postcode str isPostCode max=12
        city str isCityName req max=64
        other str isMessage
        phone str isPhoneNumber max=32
        phone_mobile str isPhoneNumber max=32
        dni str isDniLite max=16
        deleted bool isBool
        date_add date isDate
        date_upd date isDate
    """),
    class_name="Address",
)

CARTS = Resource(
    "carts",
    "cart",
    "Customer's carts",
    parse_fields("""
        id_address_delivery int isUnsignedId fk=addresses
        id_address_invoice int isUnsignedId fk=addresses
        id_currency int isUnsignedId req fk=currencies
        id_customer int isUnsignedId fk=customers
        id_guest int isUnsignedId fk=guests
        id_lang int isUnsignedId req fk=languages
        id_shop_group int isUnsignedId fk=shop_groups
        id_shop int isUnsignedId fk=shops
        id_carrier int isUnsignedId fk=carriers
        recyclable bool isBool
        gift bool isBool
        gift_message str isCleanHtml
        mobile_theme bool isBool
        delivery_option str
        secure_key str max=32
        allow_seperated_package bool isBool
        date_add date isDate
        date_upd date isDate
    """),
    (
        Association(
            "cart_rows",
            "cart_row",
            (
                "id_product",
                "id_product_attribute",
                "id_address_delivery",
                "id_customization",
                "quantity",
            ),
            None,
        ),
    ),
    class_name="Cart",
)

ORDERS = Resource(
    "orders",
    "order",
    "The Customers orders",
    parse_fields("""
        id_address_delivery int isUnsignedId req fk=addresses
        id_address_invoice int isUnsignedId req fk=addresses
        id_cart int isUnsignedId req fk=carts
        id_currency int isUnsignedId req fk=currencies
        id_lang int isUnsignedId req fk=languages
        id_customer int isUnsignedId req fk=customers
        id_carrier int isUnsignedId req fk=carriers
        current_state int isUnsignedId fk=order_states
        module str isModuleName req
        invoice_number int
        invoice_date date
        delivery_number int
        delivery_date date
        valid bool
        date_add date isDate
        date_upd date isDate
        shipping_number str computed
        note str
        id_shop_group int isUnsignedId
        id_shop int isUnsignedId
        secure_key str isMd5
        payment str isGenericName req
        recyclable bool isBool
        gift bool isBool
        gift_message str isCleanHtml
        mobile_theme bool isBool
        total_discounts float isPrice
        total_discounts_tax_incl float isPrice
        total_discounts_tax_excl float isPrice
        total_paid float isPrice req
        total_paid_tax_incl float isPrice
        total_paid_tax_excl float isPrice
        total_paid_real float isPrice req
        total_products float isPrice req
        total_products_wt float isPrice req
        total_shipping float isPrice
        total_shipping_tax_incl float isPrice
        total_shipping_tax_excl float isPrice
        carrier_tax_rate float isFloat
        total_wrapping float isPrice
        total_wrapping_tax_incl float isPrice
        total_wrapping_tax_excl float isPrice
        round_mode int isUnsignedId
        round_type int isUnsignedId
        conversion_rate float isFloat req
        reference str
    """),
    (
        Association(
            "order_rows",
            "order_row",
            (
                "id",
                "product_id",
                "product_attribute_id",
                "product_quantity",
                "product_name",
                "product_reference",
                "product_ean13",
                "product_isbn",
                "product_upc",
                "product_price",
                "id_customization",
                "unit_price_tax_incl",
                "unit_price_tax_excl",
            ),
            None,
            read_only=True,
        ),
    ),
    class_name="Order",
)

ORDER_DETAILS = Resource(
    "order_details",
    "order_detail",
    "Details of an order",
    parse_fields("""
        id_order int isUnsignedId req fk=orders
        product_id int isUnsignedId fk=products
        product_attribute_id int isUnsignedId fk=combinations
        product_quantity_reinjected int isUnsignedInt
        id_warehouse int isUnsignedId req
        id_shop int isUnsignedId req fk=shops
        id_customization int isUnsignedId
        product_name str isGenericName req
        product_quantity int isInt req
        product_quantity_in_stock int isInt
        product_price float isPrice req
        product_ean13 str isEan13
        product_isbn str isIsbn
        product_upc str isUpc
        product_mpn str isMpn
        product_reference str isReference
        product_supplier_reference str isReference
        product_weight float isFloat
        unit_price_tax_incl float isPrice
        unit_price_tax_excl float isPrice
        total_price_tax_incl float isPrice
        total_price_tax_excl float isPrice
    """),
    class_name="OrderDetail",
)

ORDER_STATES = Resource(
    "order_states",
    "order_state",
    "The Order statuses",
    parse_fields("""
        unremovable bool isBool
        delivery bool isBool
        hidden bool isBool
        send_email bool isBool
        module_name str isModuleName
        invoice bool isBool
        color str isColor
        logable bool isBool
        shipped bool isBool
        paid bool isBool
        pdf_delivery bool isBool
        pdf_invoice bool isBool
        deleted bool isBool
        name str isGenericName req lang max=64
        template str isTplName lang max=64
    """),
    class_name="OrderState",
)

ORDER_HISTORIES = Resource(
    "order_histories",
    "order_history",
    "The Order histories",
    parse_fields("""
        id_employee int isUnsignedId fk=employees
        id_order_state int isUnsignedId req fk=order_states
        id_order int isUnsignedId req fk=orders
        date_add date isDate
    """),
    class_name="OrderHistory",
)

ORDER_CARRIERS = Resource(
    "order_carriers",
    "order_carrier",
    "The Order carriers",
    parse_fields("""
        id_order int isUnsignedId req fk=orders
        id_carrier int isUnsignedId req fk=carriers
        id_order_invoice int isUnsignedId fk=order_invoices
        weight float isFloat
        shipping_cost_tax_excl float isFloat
        shipping_cost_tax_incl float isFloat
        tracking_number str isTrackingNumber
        date_add date isDate
    """),
    class_name="OrderCarrier",
)

CARRIERS = Resource(
    "carriers",
    "carrier",
    "The Carriers",
    parse_fields("""
        deleted bool isBool
        is_module bool isBool
        id_tax_rules_group str computed fk=tax_rule_groups
        id_reference int
        name str isCarrierName req max=64
        active bool isBool req
        is_free bool isBool
        url str isAbsoluteUrl
        shipping_handling bool isBool
        shipping_external bool
        range_behavior bool isBool
        shipping_method int isUnsignedInt
        max_width int isUnsignedInt
        max_height int isUnsignedInt
        max_depth int isUnsignedInt
        max_weight float isFloat
        grade int isUnsignedInt max=1
        external_module_name str max=64
        need_range bool
        position int
        delay str isGenericName req lang max=512
    """),
    class_name="Carrier",
)

COUNTRIES = Resource(
    "countries",
    "country",
    "The countries",
    parse_fields("""
        id_zone int isUnsignedId req fk=zones
        id_currency int isUnsignedId fk=currencies
        call_prefix int isInt
        iso_code str isLanguageIsoCode req max=3
        active bool isBool
        contains_states bool isBool req
        need_identification_number bool isBool req
        need_zip_code bool isBool
        zip_code_format str isZipCodeFormat
        display_tax_label bool isBool req
        name str isGenericName req lang max=64
    """),
    class_name="Country",
)

CURRENCIES = Resource(
    "currencies",
    "currency",
    "The currencies",
    parse_fields("""
        iso_code str isLanguageIsoCode req max=3
        numeric_iso_code str isNumericIsoCode max=3
        precision int isInt
        conversion_rate float isUnsignedFloat req
        deleted bool isBool
        active bool isBool
        unofficial bool isBool
        modified bool isBool
    """),
    class_name="Currency",
)

LANGUAGES = Resource(
    "languages",
    "language",
    "Shop languages",
    parse_fields("""
        name str isGenericName req max=32
        iso_code str isLanguageIsoCode req max=2
        locale str isLocale max=5
        language_code str isLanguageCode max=5
        active bool isBool
        is_rtl bool isBool
        date_format_lite str isPhpDateFormat req max=32
        date_format_full str isPhpDateFormat req max=32
    """),
    class_name="Language",
)

CONFIGURATIONS = Resource(
    "configurations",
    "configuration",
    "Shop configuration",
    parse_fields("""
        value str
        name str isConfigName req max=254
        id_shop_group int isUnsignedId fk=shop_groups
        id_shop int isUnsignedId fk=shops
        date_add date isDate
        date_upd date isDate
    """),
    class_name="Configuration",
)

#: Every resource by its name, in the order of the resource index.
RESOURCES: dict[str, Resource] = {
    r.name: r
    for r in (
        ADDRESSES,
        CARRIERS,
        CARTS,
        COMBINATIONS,
        CONFIGURATIONS,
        COUNTRIES,
        CURRENCIES,
        CUSTOMERS,
        LANGUAGES,
        ORDER_CARRIERS,
        ORDER_DETAILS,
        ORDER_HISTORIES,
        ORDER_STATES,
        ORDERS,
        PRODUCTS,
        STOCK_AVAILABLES,
    )
}


def resource(name: str) -> Resource:
    """The resource called *name* (KeyError if the simulator does not serve it)."""
    return RESOURCES[name]
