"""Services: the code that joins the database to the domain. Views and commands call these."""
