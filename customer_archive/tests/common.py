import base64

from odoo.tests import TransactionCase, new_test_user


class ArchiveCase(TransactionCase):
    """Shared fixture: one folder, users of each archive group and a customer."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Other Store"})
        cls.folder = cls.env["customer.archive.folder"].create(
            {"name": "Oolong Tea", "code": "OOL"}
        )
        cls.other_folder = cls.env["customer.archive.folder"].create(
            {"name": "Pu'er Tea", "code": "PUE"}
        )
        cls.manager = new_test_user(
            cls.env,
            login="archive_manager",
            groups="customer_archive.group_archive_manager,base.group_allow_export",
        )
        cls.manager_2 = new_test_user(
            cls.env,
            login="archive_manager_2",
            groups="customer_archive.group_archive_manager",
        )
        cls.user = new_test_user(
            cls.env,
            login="archive_user",
            groups="customer_archive.group_archive_user,base.group_allow_export",
        )
        cls.user_2 = new_test_user(
            cls.env,
            login="archive_user_2",
            groups="customer_archive.group_archive_user",
        )
        cls.internal_user = new_test_user(
            cls.env, login="plain_internal", groups="base.group_user"
        )
        cls.portal_user = new_test_user(
            cls.env, login="portal_customer", groups="base.group_portal"
        )
        cls.other_company_user = new_test_user(
            cls.env,
            login="archive_user_other_company",
            groups="customer_archive.group_archive_user",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )
        cls.china = cls.env.ref("base.cn")
        cls.customer = cls._create_customer("Wang Fang", "138 0013 8000")
        cls.customer._archive_register(cls.folder, user=cls.user)

    @classmethod
    def _create_customer(cls, name, phone=False, **vals):
        return cls.env["res.partner"].create(
            {"name": name, "phone": phone, "country_id": cls.china.id, **vals}
        )

    @classmethod
    def _file_document(cls, partner, type_xmlid, content=b"%PDF-1.4 test", **vals):
        attachment = cls.env["ir.attachment"].create(
            {
                "name": "scan.pdf",
                "datas": base64.b64encode(content),
                "res_model": "customer.archive.document",
            }
        )
        return cls.env["customer.archive.document"].create(
            {
                "partner_id": partner.id,
                "type_id": cls.env.ref(type_xmlid).id,
                "attachment_ids": [(6, 0, attachment.ids)],
                **vals,
            }
        )
