import { registry } from "@web/core/registry";

/**
 * Opens the archive dashboard, one of its figures, and each analysis screen
 * through the menus; the tour fails on any browser error.
 */
registry.category("web_tour.tours").add("customer_archive_analysis_tour", {
    url: "/odoo/customer-archive-dashboard",
    steps: () => [
        {
            content: "The dashboard shows the open complaints",
            trigger: ".o_kanban_record:contains(Open Complaints)",
            run: "click",
        },
        {
            content: "The figure opens the list of open complaints",
            trigger: ".o_list_view .o_data_row:contains(Package arrived open)",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_menu_sections button:contains(Reporting)",
            run: "click",
        },
        {
            content: "Open the archive analysis",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Archive Analysis)",
            run: "click",
        },
        {
            content: "The pivot lists the folders",
            trigger: ".o_pivot_view .o_pivot_header_cell_closed:contains(Oolong Tea)",
        },
        {
            content: "Click the customers of a folder",
            trigger: ".o_pivot_view td.o_pivot_cell_value:not(.o_empty)",
            run: "click",
        },
        {
            content: "The cell opens the list of its customers",
            trigger: ".o_list_view .o_data_row:contains(Tour Customer)",
        },
        {
            content: "Go back to the pivot",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Archive Analysis)",
            run: "click",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_pivot_view .o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_menu_sections button:contains(Reporting)",
            run: "click",
        },
        {
            content: "Open the purchase analysis",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Purchase Analysis)",
            run: "click",
        },
        {
            content: "The purchases over time are drawn",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Switch to the pivot",
            trigger: ".o_graph_view .o_switch_view.o_pivot",
            run: "click",
        },
        {
            content: "The pivot lists the product lines",
            trigger: ".o_pivot_view .o_pivot_header_cell_closed:contains(Oolong Tea)",
        },
        {
            content: "Open the Reporting menu",
            trigger: ".o_menu_sections button:contains(Reporting)",
            run: "click",
        },
        {
            content: "Open the retention forecast",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Retention Forecast)",
            run: "click",
        },
        {
            content: "The forecast is drawn",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
        {
            content: "Open the Customers menu",
            trigger: ".o_menu_sections button:contains(Customers)",
            run: "click",
        },
        {
            content: "Open the birthday calendar",
            trigger: ".o-dropdown--menu .dropdown-item:contains(Customer Birthdays)",
            run: "click",
        },
        {
            content: "Click the birthday of the tour customer",
            trigger: ".o_calendar_view .fc-event:contains(Tour Customer)",
            run: "click",
        },
        {
            content: "Open the birthday from its popover",
            trigger: ".o_cw_popover .o_cw_popover_edit",
            run: "click",
        },
        {
            content: "The birthday form offers the greeting and the call",
            trigger: ".modal .modal-footer button:contains(Schedule a Call)",
        },
        {
            content: "Close the birthday",
            trigger: ".modal .modal-footer button:contains(Close)",
            run: "click",
        },
        {
            content: "The calendar is back",
            trigger: ".o_calendar_view:not(:has(.modal))",
        },
    ],
});
