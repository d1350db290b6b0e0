"""The classroom API: the teacher's classes and table, students joining.

All of it answers 404 while the setting ``teacher_token`` is unset (the classroom
is off). The teacher's routes need the teacher (see :mod:`app.access`): 401
otherwise, 429 for an address that sent too many wrong teacher tokens. A
student joins with a class's code and a display name (joins are limited per
address and per class); the answer sets the cookie that makes their runs and
models theirs. The teacher may remove a student.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from app.access import STUDENT_COOKIE, TEACHER_COOKIE, Viewer, check_token
from app.addresses import address_of
from app.class_schemas import (
    ClassCreate,
    ClassOut,
    ClassPage,
    ClassTable,
    Joined,
    JoinRequest,
    LessonChoice,
    Membership,
    TeacherLogin,
)
from app.class_store import ClassFull, ClassNotFound, StudentNotFound
from app.classroom import Classroom
from app.deps import PageDep, StoreDep, UploadsDep, ViewerDep, page_of
from app.errors import ApiError
from app.routes.responses import (
    BAD_BODY,
    BAD_QUERY,
    JSON_BODY,
    STORE_BUSY,
    TOKEN_GUESSES,
    answers,
    created,
    location,
)
from app.teacher_sessions import COOKIE_AGE
from engine.lessons import LESSONS

router = APIRouter(tags=["classroom"])

OFF = {404: "the classroom is off (no teacher token is set)"}
TEACHER = {401: "the teacher's token or login is needed", **TOKEN_GUESSES}
NO_CLASS = {404: "no class with that id"}
RATE = {429: "this address tried too often in the last minute (see `Retry-After`)"}
LESSON_BODY = {422: "no such lesson or variant, or a body that is not what the operation "
                    "takes (`loc` names the field)"}


async def _classroom(request: Request) -> Classroom:
    classroom = getattr(request.app.state, "classroom", None)
    if classroom is None:
        raise ApiError.coded(404, ["path"], "classroom_off")
    return classroom


ClassroomDep = Annotated[Classroom, Depends(_classroom)]


async def _teacher(classroom: ClassroomDep, viewer: ViewerDep) -> Classroom:
    if not viewer.teacher:
        raise ApiError.coded(401, ["header", "authorization"], "teacher_token_needed",
                             headers={"WWW-Authenticate": "Bearer"})
    return classroom


TeacherDep = Annotated[Classroom, Depends(_teacher)]


def check_lesson(lesson: str, variant: str | None) -> None:
    """422 naming ``lesson`` or ``variant`` unless they name a lesson (variant)."""
    if lesson not in LESSONS:
        raise ApiError.coded(422, ["body", "lesson"], "class_unknown_lesson", lesson=lesson,
                             choices=", ".join(LESSONS))
    names = [v.name for v in LESSONS[lesson].variants]
    if variant is not None and variant not in names:
        if not names:
            raise ApiError.coded(422, ["body", "variant"], "class_no_variants", lesson=lesson,
                                 variant=variant)
        raise ApiError.coded(422, ["body", "variant"], "class_unknown_variant", lesson=lesson,
                             variant=variant, choices=", ".join(names))


def _rule(err: ValueError) -> tuple[str, None, dict[str, Any] | None]:
    """The code and parameters of a bad name (``value_refused`` with the reason for
    another ValueError), as ApiError's ``kind``, ``headers`` and ``ctx``."""
    if hasattr(err, "code"):
        return (err.code, None, getattr(err, "params", None))
    return ("value_refused", None, {"reason": str(err)})


def _class(classroom: Classroom, class_id: str) -> dict[str, Any]:
    try:
        return asdict(classroom.store.get(class_id))
    except ClassNotFound:
        raise ApiError.coded(404, ["path", "class_id"], "class_not_found",
                             id=class_id) from None


def _cookie(response: Response, name: str, value: str) -> None:
    response.set_cookie(name, value, max_age=COOKIE_AGE, httponly=True, samesite="lax",
                        path="/")


# -- the teacher ------------------------------------------------------------------------
@router.post("/api/teacher/login", status_code=204, summary="Log in as the teacher",
             responses=answers({401: "wrong token"}, OFF, JSON_BODY, BAD_BODY,
                               TOKEN_GUESSES, STORE_BUSY))
def login_teacher(body: TeacherLogin, request: Request, classroom: ClassroomDep) -> Response:
    """Check the teacher token and set the teacher's cookie (a session of 12 hours,
    ended by logging out). Wrong tokens are counted per address, here and on every
    route that takes the token: past the setting teacher_failures_per_minute, the
    address's tokens are refused (429) until its minute has passed."""
    token = request.app.state.settings.teacher_token.get_secret_value()
    try:
        right = check_token(request, body.token, token)
    except ApiError as err:
        err.loc = ["body", "token"]
        raise
    if not right:
        raise ApiError.coded(401, ["body", "token"], "teacher_token_wrong")
    response = Response(status_code=204)
    _cookie(response, TEACHER_COOKIE, request.app.state.teacher_sessions.open())
    return response


@router.post("/api/teacher/logout", status_code=204, summary="Log out",
             responses=answers(OFF, STORE_BUSY))
def logout_teacher(request: Request, classroom: ClassroomDep) -> Response:
    """End the teacher's session: the cookie no longer works, on any browser it
    was copied to either."""
    request.app.state.teacher_sessions.close(request.cookies.get(TEACHER_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(TEACHER_COOKIE, path="/")
    return response


@router.post("/api/classes", status_code=201, response_model=ClassOut,
             summary="Start a class",
             responses=answers(TEACHER, OFF, {409: "the server holds its maximum of classes"},
                               JSON_BODY, LESSON_BODY, STORE_BUSY,
                               _201=created("the new class")))
def create_class(body: ClassCreate, request: Request, response: Response,
                 classroom: TeacherDep) -> dict[str, Any]:
    """A new class with a short join code for the students, and its first lesson."""
    check_lesson(body.lesson, body.variant)
    try:
        info = classroom.store.create(body.name, body.lesson, body.variant)
    except ValueError as err:
        raise ApiError(422, ["body", "name"], str(err), *_rule(err)) from None
    except ClassFull as err:
        raise ApiError(409, ["body"], str(err), err.code, ctx=err.params) from None
    response.headers["Location"] = location(request, "get_class_table", class_id=info.id)
    return asdict(info)


@router.get("/api/classes", response_model=ClassPage, summary="The classes",
            responses=answers(TEACHER, OFF, BAD_QUERY))
def list_classes(classroom: TeacherDep, page: PageDep) -> dict[str, Any]:
    """A page of the classes, newest first."""
    store = classroom.store
    return page_of([asdict(c) for c in store.classes(page.limit, page.offset)], store.count(),
                   page)


@router.get("/api/classes/{class_id}", response_model=ClassTable,
            summary="The class table: every student's run",
            responses=answers(TEACHER, OFF, NO_CLASS))
async def get_class_table(class_id: str, classroom: TeacherDep) -> dict[str, Any]:
    """Each student with their newest run's lesson, step, losses, accuracy, dead
    units and status; the figures are those of the newest frame the student's page
    received."""
    _class(classroom, class_id)
    try:
        return await classroom.table(class_id)
    except ClassNotFound:
        raise ApiError.coded(404, ["path", "class_id"], "class_not_found",
                             id=class_id) from None


@router.put("/api/classes/{class_id}/lesson", response_model=ClassOut,
            summary="Push a lesson to the whole class",
            responses=answers(TEACHER, OFF, NO_CLASS, JSON_BODY, LESSON_BODY, STORE_BUSY))
async def push_lesson(class_id: str, body: LessonChoice,
                      classroom: TeacherDep) -> dict[str, Any]:
    """Every student's page opens this lesson now (through their class socket)."""
    # async: the push wakes the class sockets' asyncio events, on the event loop
    _class(classroom, class_id)
    check_lesson(body.lesson, body.variant)
    return asdict(classroom.push(class_id, body.lesson, body.variant))


@router.delete("/api/classes/{class_id}", status_code=204, summary="End a class",
               responses=answers(TEACHER, OFF, NO_CLASS, STORE_BUSY))
async def delete_class(class_id: str, classroom: TeacherDep) -> Response:
    """The class, its join code, its students and their runs go; saved models stay."""
    _class(classroom, class_id)
    classroom.end(class_id)
    return Response(status_code=204)


@router.delete("/api/classes/{class_id}/students/{student_id}", status_code=204,
               summary="Remove a student from a class",
               responses=answers(TEACHER, OFF, {404: "no class with that id, or no student "
                                                     "with that id in it"}, STORE_BUSY))
async def delete_student(class_id: str, student_id: str, classroom: TeacherDep,
                         store: StoreDep, uploads: UploadsDep) -> Response:
    """The student is out: their token stops working (their page is told the class
    ended), and their runs, saved models and uploaded data go. For someone who
    joined with a made-up name: they can join again with the code, as anyone can,
    so change the code by ending the class if they keep coming back."""
    # async: the removal wakes the student's class socket (an asyncio event)
    _class(classroom, class_id)
    try:
        classroom.remove(class_id, student_id)
    except StudentNotFound:
        raise ApiError.coded(404, ["path", "student_id"], "student_not_found", id=class_id,
                             student=student_id) from None
    store.delete_owned(student_id)
    uploads.delete_owned(student_id)
    return Response(status_code=204)


# -- students ---------------------------------------------------------------------------
def _membership(classroom: Classroom, viewer: Viewer) -> dict[str, Any]:
    student = viewer.student
    if student is None:
        raise ApiError.coded(401, ["cookie", STUDENT_COOKIE], "not_in_class")
    return {"student": {"id": student.id, "name": student.name, "joined": student.joined},
            "class": _class(classroom, student.class_id)}


@router.post("/api/classroom/join", status_code=201, response_model=Joined,
             summary="Join a class",
             responses=answers(OFF, {404: "no class with that code"},
                               {409: "the class is full"}, JSON_BODY,
                               {422: "a bad name, or a body that is not what the operation "
                                     "takes (`loc` names the field)"},
                               {429: "this address tried to join too often in the last "
                                     "minute, or the class was joined by too many (see "
                                     "`Retry-After`)"}, STORE_BUSY,
                               _201=created("the student's membership")))
def join_class(body: JoinRequest, request: Request, response: Response,
               classroom: ClassroomDep) -> dict[str, Any]:
    """Join with the teacher's code and a display name. Sets the student's cookie;
    runs and models made with it are the student's alone. An address may try
    `joins_per_minute` times a minute (wrong codes count too) and a class takes
    `class_joins_per_minute` students a minute (settings)."""
    state = request.app.state
    state.join_rate.check(address_of(request))
    try:
        state.class_join_rate.check(classroom.store.by_code(body.code).id)
        student, token = classroom.store.join(body.code, body.name)
    except ClassNotFound:
        raise ApiError.coded(404, ["body", "code"], "class_code_not_found",
                             code=body.code) from None
    except ValueError as err:
        raise ApiError(422, ["body", "name"], str(err), *_rule(err)) from None
    except ClassFull as err:
        raise ApiError(409, ["body", "code"], str(err), err.code, ctx=err.params) from None
    _cookie(response, STUDENT_COOKIE, token)
    response.headers["Location"] = location(request, "get_membership")
    return {**_membership(classroom, Viewer(student=student)), "token": token}


@router.get("/api/classroom/me", response_model=Membership, summary="My class",
            responses=answers({401: "not in a class"}, OFF,
                              {404: "the student's class has ended"}, TOKEN_GUESSES))
def get_membership(classroom: ClassroomDep, viewer: ViewerDep) -> dict[str, Any]:
    """The student and their class, with the class's current lesson."""
    return _membership(classroom, viewer)


@router.post("/api/classroom/leave", status_code=204, summary="Leave the class",
             responses=answers(OFF))
def leave_class(classroom: ClassroomDep) -> Response:
    """Forget the student's cookie on this browser (their runs stay until idle)."""
    response = Response(status_code=204)
    response.delete_cookie(STUDENT_COOKIE, path="/")
    return response
