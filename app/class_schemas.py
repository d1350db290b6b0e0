"""Request and answer shapes of the classroom API (``/api/teacher``,
``/api/classes``, ``/api/classroom``), with examples for /docs."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.schemas import Page, StrictBody


class TeacherLogin(StrictBody):
    token: str = Field(min_length=1, max_length=200, description="the server's teacher token")


class LessonChoice(StrictBody):
    """A lesson (and optionally one of its variants) for the whole class."""

    lesson: str = Field(description="a lesson name, see /api/lessons")
    variant: str | None = Field(default=None, description="one of the lesson's variants")

    model_config = ConfigDict(json_schema_extra={"examples": [{"lesson": "dead-relu"}]})


class ClassCreate(LessonChoice):
    """A new class: its name and first lesson."""

    name: str = Field(min_length=1, max_length=40, description="e.g. '3B, Tuesday'")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"name": "3B Tuesday", "lesson": "xor-two-relu"}]})


class JoinRequest(StrictBody):
    """A student joining a class."""

    code: str = Field(min_length=1, max_length=20, description="the join code the teacher "
                      "shows (case, spaces and dashes do not matter)")
    name: str = Field(min_length=1, max_length=40, description="the name the teacher sees")

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"code": "K7P2QX", "name": "Mei"}]})


class ClassOut(BaseModel):
    id: str
    code: str
    name: str
    lesson: str
    variant: str | None
    lesson_version: int = Field(description="counts the lessons pushed to the class")
    created: str


class ClassPage(Page[ClassOut]):
    """A page of classes, newest first."""


class StudentOut(BaseModel):
    id: str
    name: str
    joined: str


class Membership(BaseModel):
    """A student and their class (what their page shows)."""

    student: StudentOut
    class_: ClassOut = Field(alias="class")

    model_config = ConfigDict(populate_by_name=True)


class Joined(Membership):
    token: str = Field(description="the student's key to their own runs and models: the "
                       "cookie nnplay_student (set with this answer) or the header "
                       "X-Nnplay-Student")


class RunRow(BaseModel):
    id: str
    lesson: str | None
    variant: str | None
    playing: bool
    watched: bool = Field(description="the student's page is showing it")
    step: int | None
    epoch: int | None
    status: str | None
    train_loss: float | None
    test_loss: float | None
    train_accuracy: float | None
    test_accuracy: float | None
    dead_units: int
    units: int


class StudentRow(BaseModel):
    id: str
    name: str
    joined: str
    runs: int
    run: RunRow | None = Field(description="the student's newest run")


class ClassTable(BaseModel):
    """The teacher's table: the class and one row per student."""

    class_: ClassOut = Field(alias="class")
    students: list[StudentRow]
    time: float = Field(description="when the table was made (seconds since 1970)")

    model_config = ConfigDict(populate_by_name=True)
