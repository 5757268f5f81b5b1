"""Flask CLI commands (ARCHITECTURE.md operating contract)."""

from __future__ import annotations

import sys
from datetime import datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from mathvidya.db import job_connection
from mathvidya.errors import AppError


def _settings():
    return current_app.config["SETTINGS"]


@click.command("create-user")
@with_appcontext
@click.option("--role", type=click.Choice(["admin", "teacher", "student", "parent"]), required=True)
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--first-name", required=True)
@click.option("--last-name", required=True)
@click.option("--student-class", type=click.Choice(["X", "XII"]), default=None)
def create_user_command(role, email, password, first_name, last_name, student_class):
    """Create a user of any role and print its id."""
    from mathvidya.identity.service import NewUser, create_user

    new = NewUser(
        email=email,
        password=password,
        role=role,
        first_name=first_name,
        last_name=last_name,
        student_class=student_class,
        email_verified=True,
    )
    try:
        with job_connection(_settings().database_url) as conn:
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
    from mathvidya.jobs.registry import describe_last_run, find_job, last_runs, periodic_jobs, run_job

    if list_jobs or not name:
        runs = last_runs(_settings())
        for job in periodic_jobs():
            last = "unknown (Redis unavailable)" if runs is None else describe_last_run(runs.get(job.name))
            click.echo(f"{job.name:32} {job.schedule:28} last run: {last:40} {job.description}")
        return
    try:
        find_job(name)
    except KeyError:
        raise click.BadParameter(f"no job named {name!r}; see --list") from None
    touched = run_job(name, _parse_as_of(as_of), _settings())
    click.echo(f"{name}: {touched} rows touched")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command():
    """Demo data: one user of each role (passwords printed) and, later, a demo question bank."""
    from mathvidya.demo import seed_demo

    with job_connection(_settings().database_url) as conn:
        report = seed_demo(conn)
    for line in report:
        click.echo(line)


def init_app(app: Flask) -> None:
    for command in (create_user_command, run_job_command, seed_demo_command):
        app.cli.add_command(command)
