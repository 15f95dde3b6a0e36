"""Cost of the document access rules on a list read."""

from ..harness import Case, Measurement, Target, measurement

# Columns of the document list view.
LIST_FIELDS = [
    "name",
    "partner_id",
    "type_id",
    "document_date",
    "filing_date",
    "confidentiality",
    "retention_date",
    "archive_user_id",
]


@measurement("access_rules", "search_read of documents as archive user and manager")
def access_rules(bench):
    env = bench.env
    limit = bench.size.read_documents
    Users = env["res.users"]
    user = Users.browse(bench.facts["user_id"])
    manager = Users.browse(bench.facts["manager_id"])

    def read_as(account):
        def run():
            Document = env["customer.archive.document"].with_user(account)
            rows = Document.search_read([], LIST_FIELDS, limit=limit)
            return [row["id"] for row in rows]

        return run

    return Measurement(
        cases=[
            Case(
                "user",
                f"search_read of {limit:,} documents as an Archive User "
                "(confidentiality and consultation rules)",
                read_as(user),
            ),
            Case(
                "manager",
                f"search_read of {limit:,} documents as an Archive Manager "
                "(company rule only)",
                read_as(manager),
            ),
        ],
        targets=[Target("user", "manager", at_most=1.5)],
    )
