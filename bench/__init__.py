"""The benchmarks of docs/benchmarks.md. Scripts: run.py (the test harness against other
isolation patterns) and load.py (a served app under load); suite/ runs inside the services
they render."""
