"""Cost of the document access rules on a list read.

The cases read as the document list does, with ``web_search_read``: a
``search_read`` over RPC also writes a view entry to the access log for each
internal and confidential document, which is not the cost measured here.
"""

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


@measurement("access_rules", "list read of documents as archive user and manager")
def access_rules(bench):
    env = bench.env
    limit = bench.size.read_documents
    Users = env["res.users"]
    user = Users.browse(bench.facts["user_id"])
    manager = Users.browse(bench.facts["manager_id"])

    def read_as(account):
        def run():
            Document = env["customer.archive.document"].with_user(account)
            result = Document.web_search_read(
                [], dict.fromkeys(LIST_FIELDS, {}), limit=limit, count_limit=limit
            )
            return [row["id"] for row in result["records"]]

        return run

    return Measurement(
        cases=[
            Case(
                "user",
                f"list read of {limit:,} documents as an Archive User "
                "(confidentiality and consultation rules)",
                read_as(user),
            ),
            Case(
                "manager",
                f"list read of {limit:,} documents as an Archive Manager "
                "(company rule only)",
                read_as(manager),
            ),
        ],
        targets=[Target("user", "manager", at_most=1.5)],
    )
