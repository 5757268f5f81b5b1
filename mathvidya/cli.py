"""Flask CLI commands for operators (README.md lists them)."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import Flask
from flask.cli import with_appcontext

from mathvidya.config import current_settings
from mathvidya.db import job_connection
from mathvidya.demo import seed_demo
from mathvidya.errors import AppError
from mathvidya.identity.service import NewUser, create_user
from mathvidya.jobs.registry import describe_last_run, find_job, last_runs, periodic_jobs, run_job


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@with_appcontext
@click.option("--role", type=click.Choice(["admin", "teacher", "student", "parent"]), required=True)
@click.option("--email", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input")
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--student-class", type=click.Choice(["X", "XII"]), default=None)
def create_user_command(role, email, password_stdin, first_name, last_name, student_class):
    """Create a user of any role and print its id. The password is prompted for (hidden,
    twice) or read from stdin, never taken as an argument: arguments show in `ps` and in
    shell history."""
    new = NewUser(
        email=email,
        password=_read_password(password_stdin),
        role=role,
        first_name=first_name,
        last_name=last_name,
        student_class=student_class,
        email_verified=True,
    )
    try:
        with job_connection(current_settings().database_url) as conn:
            user = create_user(conn, new)
    except AppError as exc:
        click.echo(f"error: {exc.message} {exc.details or ''}".strip(), err=True)
        sys.exit(1)
    click.echo(str(user["user_id"]))


def _parse_as_of(value: str | None) -> datetime | None:
    if value is None:
        return None
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise click.BadParameter("--as-of needs a time zone offset, e.g. 2026-01-05T10:00:00+05:30")
    return parsed


@click.command("run-job")
@with_appcontext
@click.argument("name", required=False)
@click.option("--as-of", "as_of", default=None, help="ISO 8601 instant with offset to evaluate time rules at")
@click.option("--list", "list_jobs", is_flag=True, help="List the periodic jobs")
def run_job_command(name, as_of, list_jobs):
    """Run one periodic job now, in the foreground, and print how many rows it touched.

    `--list` names each job with its schedule and its last run (by the worker or by hand).
    """
    if list_jobs or not name:
        runs = last_runs(current_settings())
        for job in periodic_jobs():
            last = "unknown (Redis unavailable)" if runs is None else describe_last_run(runs.get(job.name))
            click.echo(f"{job.name:32} {job.schedule:28} last run: {last:40} {job.description}")
        return
    try:
        find_job(name)
    except KeyError:
        raise click.BadParameter(f"no job named {name!r}; see --list") from None
    touched = run_job(name, _parse_as_of(as_of), current_settings())
    click.echo(f"{name}: {touched} rows touched")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Demo data: a question bank, a user of each role ready to try (passwords printed), a
    parent link, a plan, two months of exams, answer sheets to mark and classmates."""
    settings = current_settings()
    if settings.is_production:
        click.echo(
            "error: seed-demo makes accounts whose password is published; it does not run in production", err=True
        )
        sys.exit(1)
    with job_connection(settings.database_url) as conn:
        report = seed_demo(conn, settings)
    for line in report:
        click.echo(line)


def init_app(app: Flask) -> None:
    for command in (create_user_command, run_job_command, seed_demo_command):
        app.cli.add_command(command)
