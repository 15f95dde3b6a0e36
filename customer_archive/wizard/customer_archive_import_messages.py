"""Translated messages of file errors and rejected rows of the customer import.

The reading and validation rules in ``tools/northwind.py`` report each problem
as a code with values. These functions word it in the user's language, with
the value and the fix.
"""


def file_error_message(env, error):
    """Return the translated message of a ``northwind.FileFormatError``."""
    values = error.values
    match error.code:
        case "not_utf8":
            return env._(
                "The %(file)s file is neither UTF-8 nor Chinese GBK text. Save "
                "it in Excel as “CSV UTF-8 (Comma delimited)” and import it "
                "again.",
                **values,
            )
        case "empty":
            return env._(
                "The %(file)s file is empty. It needs a header row with at least "
                "the columns %(columns)s.",
                **values,
            )
        case "duplicate_columns":
            return env._(
                "The header of the %(file)s file repeats the column(s) "
                "%(columns)s. Keep one column of each name.",
                **values,
            )
        case "missing_columns":
            return env._(
                "The %(file)s file is missing the column(s) %(columns)s. Add them "
                "to its header row.",
                **values,
            )
        case "semicolon_separator":
            return env._(
                "The %(file)s file is separated by semicolons. Save it with commas "
                "as separator.",
                **values,
            )
        case "bad_csv":
            return env._(
                "The %(file)s file is not valid CSV at row %(row)s (%(error)s). "
                "Check the quotes around that row.",
                **values,
            )
        case "bad_xlsx":
            return env._(
                "The workbook could not be read (%(error)s). Save it as an Excel "
                "workbook (.xlsx) and upload it again.",
                **values,
            )
        case "missing_table":
            return env._(
                "The %(file)s file or sheet is missing. The tables %(needed_by)s "
                "are imported together.",
                **values,
            )
        case "nothing_to_import":
            return env._(
                "Nothing to import. Add a customers file or sheet, or the orders, "
                "order_details, products and categories files or sheets."
            )
    raise ValueError(f"unknown file error code {error.code!r}")


def rejection_message(env, rejection):
    """Return the translated reason of a ``northwind.Rejection``."""
    values = rejection.values
    match rejection.code:
        case "formula_without_value":
            return env._(
                "Column %(column)s holds the formula %(value)s, saved without "
                "its value. Open the workbook in Excel or LibreOffice and save "
                "it again, or paste the values in place of the formulas.",
                **values,
            )
        case "merged_cells":
            return env._(
                "The cells %(value)s are merged, so only the first of them has "
                "a value. Unmerge them and write the value in every row.",
                **values,
            )
        case "column_count":
            return env._(
                "The row has %(found)s columns but the header has %(expected)s. "
                "Check for an unquoted comma or a missing separator.",
                **values,
            )
        case "missing_value":
            return env._(
                "The required column %(column)s is empty. Fill it in.", **values
            )
        case "bad_number":
            return env._(
                "Invalid number “%(value)s” in column %(column)s. Write digits with "
                "a dot as decimal separator, e.g. 14.40.",
                **values,
            )
        case "bad_date":
            return env._(
                "Invalid date “%(value)s” in column %(column)s. Write the date as "
                "YYYY-MM-DD, e.g. 1996-07-04.",
                **values,
            )
        case "negative_quantity":
            return env._(
                "Negative quantity %(value)s. Write the quantity sold as a "
                "positive number.",
                **values,
            )
        case "zero_quantity":
            return env._(
                "The quantity is %(value)s. Write the quantity sold, or remove the "
                "line.",
                **values,
            )
        case "negative_price":
            return env._(
                "Negative unit price %(value)s. Write a price of 0 or more.",
                **values,
            )
        case "discount_out_of_range":
            return env._(
                "Discount %(value)s is outside 0 to 1. Write a 15%% discount as 0.15.",
                **values,
            )
        case "duplicate_key":
            return env._(
                "Duplicate %(column)s “%(value)s”, already on row %(first_row)s. "
                "Keep one row per %(column)s.",
                **values,
            )
        case "unknown_country":
            return env._(
                "Unknown country “%(value)s”. Write the country's English name or "
                "its ISO code, e.g. Germany or DE.",
                **values,
            )
        case "unknown_customer":
            return env._(
                "Unknown customer “%(value)s”, which is neither in the customers "
                "file nor in the archive. Add it to the customers file.",
                **values,
            )
        case "customer_rejected":
            return env._(
                "Customer “%(value)s” was rejected on row %(target_row)s of the "
                "customers file. Correct that row.",
                **values,
            )
        case "unknown_order":
            return env._(
                "Unknown order “%(value)s”. Add it to the orders file.", **values
            )
        case "order_rejected":
            return env._(
                "Order “%(value)s” was rejected on row %(target_row)s of the "
                "orders file. Correct that row.",
                **values,
            )
        case "unknown_product":
            return env._(
                "Unknown product “%(value)s”. Add it to the products file.",
                **values,
            )
        case "product_rejected":
            return env._(
                "Product “%(value)s” was rejected on row %(target_row)s of the "
                "products file. Correct that row.",
                **values,
            )
        case "unknown_category":
            return env._(
                "Unknown category “%(value)s”. Add it to the categories file.",
                **values,
            )
        case "category_rejected":
            return env._(
                "Category “%(value)s” was rejected on row %(target_row)s of the "
                "categories file. Correct that row.",
                **values,
            )
    raise ValueError(f"unknown rejection code {rejection.code!r}")
