"""Imports every feature's models so SQLAlchemy and Alembic see the whole schema."""
from inquiry.audit.models import AuditEvent  # noqa: F401
from inquiry.auth.models import ApiToken, User, UserLanguage, queue_members  # noqa: F401
from inquiry.channels.models import ChannelAccount, ChannelRejection  # noqa: F401
from inquiry.contacts.models import Contact, Person  # noqa: F401
from inquiry.tickets.models import Message, Queue, Ticket, TicketPresence, TicketTag  # noqa: F401
from inquiry.ingest.models import Delivery  # noqa: F401
from inquiry.outbound.models import OutboxItem  # noqa: F401
from inquiry.classifier.models import TrainingExample  # noqa: F401
from inquiry.canned.models import CannedReply, CannedReplyVariant  # noqa: F401
from inquiry.sla.models import BusinessCalendar, SlaEvent, SlaPolicy  # noqa: F401
from inquiry.notifications.models import Notification  # noqa: F401
from inquiry.search.models import SearchDocument  # noqa: F401
from inquiry.costs.models import BudgetSettings, ChannelFee, CostLedger, FixedCost, RateOverride, TicketActivity  # noqa: F401
from inquiry.reports.models import Surge  # noqa: F401
