"""Staff pages of the network app, under /i/<institution>/ (namespace ``staff``).

``consortia/<slug>/...`` is the secretariat's (network.manage_consortium); ``groups/<consortium>/
<group>/...`` is the coordinator's (network.manage_work_group). Objects below a consortium or a
group are named by slug or UUID, never by integer key.
"""

from django.urls import path

from intercampus.network.views import staff

CONSORTIUM = "consortia/<slug:slug>/"
GROUP = CONSORTIUM + "groups/<slug:group>/"
PROJECT = CONSORTIUM + "projects/<slug:project>/"
RUN = "groups/<slug:consortium>/<slug:group>/"
MEETING = RUN + "meetings/<uuid:meeting>/"
ACTION = RUN + "actions/<uuid:action>/"

urlpatterns = [
    # The secretariat: the consortium and its memberships.
    path(CONSORTIUM, staff.consortium, name="consortium"),
    path(CONSORTIUM + "edit/", staff.consortium_edit, name="consortium_edit"),
    path(CONSORTIUM + "members/add/", staff.membership_add, name="membership_add"),
    path(CONSORTIUM + "members/new/", staff.member_new, name="member_new"),
    path(CONSORTIUM + "members/export.csv", staff.members_csv, name="members_csv"),
    path(CONSORTIUM + "members/export.xlsx", staff.members_xlsx, name="members_xlsx"),
    path(CONSORTIUM + "members/<uuid:membership>/", staff.membership_edit, name="membership_edit"),
    # The secretariat: work groups, appointments, members, access points.
    path(CONSORTIUM + "groups/", staff.work_groups, name="work_groups"),
    path(CONSORTIUM + "groups/new/", staff.work_group_create, name="work_group_create"),
    path(GROUP, staff.work_group_manage, name="work_group_manage"),
    path(GROUP + "edit/", staff.work_group_edit, name="work_group_edit"),
    path(GROUP + "appoint/", staff.work_group_appoint, name="work_group_appoint"),
    path(GROUP + "members/add/", staff.work_group_member_add, name="work_group_member_add"),
    path(
        GROUP + "members/<uuid:member>/remove/",
        staff.work_group_member_remove,
        name="work_group_member_remove",
    ),
    path(GROUP + "access-point/", staff.access_point_set, name="access_point_set"),
    # The secretariat: projects, partners, outputs.
    path(CONSORTIUM + "projects/", staff.projects, name="projects"),
    path(CONSORTIUM + "projects/new/", staff.project_create, name="project_create"),
    path(PROJECT, staff.project, name="project"),
    path(PROJECT + "edit/", staff.project_edit, name="project_edit"),
    path(PROJECT + "partners/add/", staff.project_partner_add, name="project_partner_add"),
    path(
        PROJECT + "partners/<uuid:partner>/remove/",
        staff.project_partner_remove,
        name="project_partner_remove",
    ),
    path(PROJECT + "outputs/add/", staff.project_output_add, name="project_output_add"),
    path(
        PROJECT + "outputs/<uuid:output>/status/",
        staff.project_output_status,
        name="project_output_status",
    ),
    # The coordinator: the group's meetings, decisions and actions.
    path(RUN, staff.work_group, name="work_group"),
    path(MEETING, staff.meeting, name="meeting"),
    path(MEETING + "delete/", staff.meeting_delete, name="meeting_delete"),
    path(MEETING + "decisions/add/", staff.decision_add, name="decision_add"),
    path(
        MEETING + "decisions/<uuid:decision>/delete/",
        staff.decision_delete,
        name="decision_delete",
    ),
    path(MEETING + "actions/add/", staff.action_add, name="action_add"),
    path(ACTION + "status/", staff.action_status, name="action_status"),
    path(ACTION + "delete/", staff.action_delete, name="action_delete"),
]
