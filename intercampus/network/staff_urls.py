"""Staff pages of the network app, under /i/<institution>/ (namespace ``staff``).

``consortia/<slug>/...`` is the secretariat's (network.manage_consortium); ``groups/<consortium>/
<group>/...`` is the coordinator's (network.manage_work_group). Objects below a consortium or a
group are named by slug or UUID, never by integer key.
"""

from django.urls import path

from intercampus.network.views import coordinator, secretariat

CONSORTIUM = "consortia/<slug:slug>/"
GROUP = CONSORTIUM + "groups/<slug:group>/"
PROJECT = CONSORTIUM + "projects/<slug:project>/"
RUN = "groups/<slug:consortium>/<slug:group>/"
MEETING = RUN + "meetings/<uuid:meeting>/"
ACTION = RUN + "actions/<uuid:action>/"

urlpatterns = [
    # The secretariat: the consortium and its memberships.
    path(CONSORTIUM, secretariat.consortium, name="consortium"),
    path(CONSORTIUM + "edit/", secretariat.consortium_edit, name="consortium_edit"),
    path(CONSORTIUM + "members/add/", secretariat.membership_add, name="membership_add"),
    path(CONSORTIUM + "members/new/", secretariat.member_new, name="member_new"),
    path(CONSORTIUM + "members/export.csv", secretariat.members_csv, name="members_csv"),
    path(CONSORTIUM + "members/export.xlsx", secretariat.members_xlsx, name="members_xlsx"),
    path(
        CONSORTIUM + "members/<uuid:membership>/",
        secretariat.membership_edit,
        name="membership_edit",
    ),
    # The secretariat: work groups, appointments, members, access points.
    path(CONSORTIUM + "groups/", secretariat.work_groups, name="work_groups"),
    path(CONSORTIUM + "groups/new/", secretariat.work_group_create, name="work_group_create"),
    path(GROUP, secretariat.work_group_manage, name="work_group_manage"),
    path(GROUP + "edit/", secretariat.work_group_edit, name="work_group_edit"),
    path(GROUP + "appoint/", secretariat.work_group_appoint, name="work_group_appoint"),
    path(GROUP + "members/add/", secretariat.work_group_member_add, name="work_group_member_add"),
    path(
        GROUP + "members/<uuid:member>/remove/",
        secretariat.work_group_member_remove,
        name="work_group_member_remove",
    ),
    path(GROUP + "access-point/", secretariat.access_point_set, name="access_point_set"),
    # The secretariat: projects, partners, outputs.
    path(CONSORTIUM + "projects/", secretariat.projects, name="projects"),
    path(CONSORTIUM + "projects/new/", secretariat.project_create, name="project_create"),
    path(PROJECT, secretariat.project, name="project"),
    path(PROJECT + "edit/", secretariat.project_edit, name="project_edit"),
    path(PROJECT + "partners/add/", secretariat.project_partner_add, name="project_partner_add"),
    path(
        PROJECT + "partners/<uuid:partner>/remove/",
        secretariat.project_partner_remove,
        name="project_partner_remove",
    ),
    path(PROJECT + "outputs/add/", secretariat.project_output_add, name="project_output_add"),
    path(
        PROJECT + "outputs/<uuid:output>/status/",
        secretariat.project_output_status,
        name="project_output_status",
    ),
    # The coordinator: the group's meetings, decisions and actions.
    path(RUN, coordinator.work_group, name="work_group"),
    path(MEETING, coordinator.meeting, name="meeting"),
    path(MEETING + "delete/", coordinator.meeting_delete, name="meeting_delete"),
    path(MEETING + "decisions/add/", coordinator.decision_add, name="decision_add"),
    path(
        MEETING + "decisions/<uuid:decision>/delete/",
        coordinator.decision_delete,
        name="decision_delete",
    ),
    path(MEETING + "actions/add/", coordinator.action_add, name="action_add"),
    path(ACTION + "status/", coordinator.action_status, name="action_status"),
    path(ACTION + "delete/", coordinator.action_delete, name="action_delete"),
]
