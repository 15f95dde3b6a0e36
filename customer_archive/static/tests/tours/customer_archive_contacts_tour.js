import { registry } from "@web/core/registry";

/**
 * Opens the form of a registered customer in Contacts, then creates and
 * saves a new contact, as an employee without any archive group. The test
 * starts it on the customer's form; the tour fails on any browser error,
 * such as a field the user may not read.
 */
registry.category("web_tour.tours").add("customer_archive_contacts_tour", {
    steps: () => [
        {
            content: "The form of the registered customer opens",
            trigger: ".o_breadcrumb .active:contains(Tour Customer)",
        },
        {
            content: "Create a contact",
            trigger: ".o_form_button_create",
            run: "click",
        },
        {
            content: "The form of the new contact opens",
            trigger: ".o_breadcrumb .active:contains(New)",
        },
        {
            content: "Name the contact",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit Walk-in Visitor",
        },
        {
            content: "Save the contact",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The contact is saved",
            trigger: ".o_form_readonly, .o_form_saved",
        },
    ],
});
