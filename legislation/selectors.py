"""Reads for consultations, comments, collectors and the points' figures.

Every read starts from `Model.objects.visible_to(user)`; lists run in a constant
number of queries whatever their length (counts come from annotations and
subqueries, not from a query per row).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce, ExtractYear

from stations.models import Station

from .models import (
    Article,
    ArticleOpinion,
    AuthorKind,
    Channel,
    Collector,
    Comment,
    Consultation,
    Heading,
    Meeting,
    Participation,
    is_legislative_point_q,
)

D = Comment.Decision


def _count_of(queryset, field_name: str):
    """A correlated COUNT(*) of `queryset` rows whose `field_name` is the outer row."""
    rows = (
        queryset.filter(**{field_name: OuterRef("pk")})
        .order_by()
        .values(field_name)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


# --- Consultations -----------------------------------------------------------------------


def consultations_for(user, *, kind: str = "", station=None, q: str = ""):
    """The consultations a user sees, newest first, with the counts their list shows."""
    rows = Consultation.objects.visible_to(user).select_related("region")
    if kind:
        rows = rows.filter(kind=kind)
    if station is not None:
        rows = rows.filter(participations__station=station)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(issuing_body__icontains=q))
    return rows.annotate(
        article_count=_count_of(Article.objects.all(), "consultation"),
        point_count=_count_of(Participation.objects.all(), "consultation"),
        comment_count=_count_of(Comment.objects.visible_to(user), "consultation"),
    )


def participations_of(user, consultation):
    """The points of a consultation the user sees, with their comment counts."""
    return (
        Participation.objects.visible_to(user)
        .filter(consultation=consultation)
        .select_related("station", "region")
        .annotate(
            comment_count=_count_of(Comment.objects.all(), "participation"),
            pending_count=_count_of(Comment.objects.filter(decision=D.PENDING), "participation"),
            adopted_count=_count_of(Comment.objects.filter(adopted=True), "participation"),
        )
        .order_by("station__region_path", "station__name")
    )


def participation_for(user, **lookup):
    return (
        Participation.objects.visible_to(user)
        .select_related("consultation", "consultation__region", "station", "region")
        .filter(**lookup)
    )


@dataclass
class OutlineEntry:
    """One line of the text as pages show it: a heading or an article."""

    heading: Heading | None = None
    article: Article | None = None
    comment_count: int = 0


def outline(consultation, *, counts: dict[int | None, int] | None = None) -> list[OutlineEntry]:
    """Headings and articles in document order (two queries)."""
    counts = counts or {}
    headings = list(consultation.headings.all())
    articles = list(consultation.articles.all())
    entries = [OutlineEntry(heading=h) for h in headings]
    entries += [OutlineEntry(article=a, comment_count=counts.get(a.pk, 0)) for a in articles]
    return sorted(entries, key=lambda e: (e.heading or e.article).order)


def chapters(consultation, *, counts: dict[int | None, int] | None = None) -> list[dict]:
    """The text grouped by its top headings, for pages that fold chapters:
    [{"heading": Heading | None, "entries": [OutlineEntry...], "comments": n}]."""
    groups: list[dict] = []
    for entry in outline(consultation, counts=counts):
        if entry.heading is not None and entry.heading.parent_id is None:
            groups.append({"heading": entry.heading, "entries": [], "comments": 0})
            continue
        if not groups:
            groups.append({"heading": None, "entries": [], "comments": 0})
        groups[-1]["entries"].append(entry)
        groups[-1]["comments"] += entry.comment_count
    return groups


def comment_counts(comments) -> dict[int | None, int]:
    """{article id (None: the whole): comments} over a queryset of comments."""
    rows = comments.order_by().values("article_id").annotate(n=Count("pk"))
    return {row["article_id"]: row["n"] for row in rows}


def article_by_number(consultation, number: int) -> Article | None:
    return consultation.articles.select_related("heading").filter(number=number).first()


def heading_path(article: Article) -> str:
    """第二章 消防安全责任 · 第一节 …: the headings above an article (one query)."""
    if article.heading_id is None:
        return ""
    chain = []
    by_id = {h.pk: h for h in Heading.objects.filter(consultation_id=article.consultation_id)}
    current = by_id.get(article.heading_id)
    while current is not None:
        chain.append(current)
        current = by_id.get(current.parent_id)
    return " · ".join(str(h) for h in reversed(chain))


# --- Comments ------------------------------------------------------------------------------


def comments_for(user, *, participation=None, consultation=None, article=None, decision=""):
    rows = Comment.objects.visible_to(user).select_related(
        "article", "deputy", "collector", "merged_into", "merged_into__article", "station"
    )
    if participation is not None:
        rows = rows.filter(participation=participation)
    if consultation is not None:
        rows = rows.filter(consultation=consultation)
    if article == "whole":
        rows = rows.filter(article__isnull=True)
    elif article is not None:
        rows = rows.filter(article=article)
    if decision:
        rows = rows.filter(decision=decision)
    return rows.order_by("article__order", "number")


def comment_by_token(token: str | None) -> Comment | None:
    if not token:
        return None
    return Comment.objects.select_related("participation").filter(submission_token=token).first()


def merge_targets(comment):
    """Comments of the same point and article that another may be merged into (kept ones)."""
    return (
        Comment.objects.filter(
            participation_id=comment.participation_id,
            article_id=comment.article_id,
            decision=D.KEEP,
        )
        .exclude(pk=comment.pk)
        .order_by("number")
    )


@dataclass
class ArticleSummary:
    """What the summary says about one article (or the whole draft: `article` None)."""

    article: Article | None
    heading: str
    comments: list[Comment] = field(default_factory=list)
    opinion: str = ""

    @property
    def kept(self) -> list[Comment]:
        return [c for c in self.comments if c.decision == D.KEEP]

    def merged_into(self, comment) -> list[Comment]:
        return [c for c in self.comments if c.merged_into_id == comment.pk]

    @property
    def counts(self) -> dict[str, int]:
        result = {value: 0 for value in D.values}
        for comment in self.comments:
            result[comment.decision] += 1
        return result


def summary_of(participation) -> list[ArticleSummary]:
    """The point's summary, article by article (those that drew comments or an opinion),
    in document order with the whole draft first. A handful of queries."""
    comments = list(
        Comment.objects.filter(participation=participation)
        .select_related("article", "merged_into")
        .order_by("number")
    )
    opinions = {
        o.article_id: o.text for o in ArticleOpinion.objects.filter(participation=participation)
    }
    headings = {
        h.pk: h for h in Heading.objects.filter(consultation_id=participation.consultation_id)
    }
    touched = {c.article_id for c in comments} | set(opinions)
    articles = list(
        Article.objects.filter(
            consultation_id=participation.consultation_id, pk__in=touched - {None}
        )
    )
    by_article: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        by_article[comment.article_id].append(comment)
    rows = []
    if None in touched:
        rows.append(ArticleSummary(None, "", by_article[None], opinions.get(None, "")))
    for article in sorted(articles, key=lambda a: a.order):
        rows.append(
            ArticleSummary(
                article,
                _path(article, headings),
                by_article[article.pk],
                opinions.get(article.pk, ""),
            )
        )
    return rows


def _path(article, headings) -> str:
    chain, current = [], headings.get(article.heading_id)
    while current is not None:
        chain.append(current)
        current = headings.get(current.parent_id)
    return " · ".join(str(h) for h in reversed(chain))


def tally(comments) -> dict:
    """Counts by decision, author kind and channel over a list of comments."""
    result = {
        "total": len(comments),
        "decisions": {value: 0 for value in D.values},
        "authors": {value: 0 for value in AuthorKind.values},
        "channels": {value: 0 for value in Channel.values},
        "adopted": 0,
    }
    for comment in comments:
        result["decisions"][comment.decision] += 1
        result["authors"][comment.author_kind] += 1
        result["channels"][comment.channel] += 1
        result["adopted"] += comment.adopted
    return result


# --- Points, collectors, figures -------------------------------------------------------


def legislative_points(user, *, under_path: str | None = None, for_write: bool = False):
    """The legislative points a user sees (or keeps), optionally under a region path."""
    rows = Station.objects.visible_to(user, for_write=for_write).filter(
        is_legislative_point_q(), status=Station.Status.ACTIVE
    )
    if under_path is not None:
        rows = rows.filter(region_path__startswith=under_path)
    return rows.select_related("region").order_by("region_path", "name")


def collectors_for(user, *, year: int, station=None):
    """The collectors' register a user sees, with the year's comments and meetings."""
    rows = Collector.objects.visible_to(user).select_related("station")
    if station is not None:
        rows = rows.filter(station=station)
    return rows.annotate(
        year_comments=_count_of(Comment.objects.filter(received_on__year=year), "collector"),
        year_meetings=Coalesce(
            Subquery(
                Meeting.collectors.through.objects.filter(
                    collector_id=OuterRef("pk"), meeting__held_on__year=year
                )
                .order_by()
                .values("collector_id")
                .annotate(n=Count("pk"))
                .values("n"),
                output_field=IntegerField(),
            ),
            Value(0),
        ),
    )


def meetings_of(participation):
    return participation.meetings.prefetch_related(
        Prefetch("collectors", queryset=Collector.objects.order_by("name"))
    )


def point_figures(user, station) -> list[dict]:
    """A point's figures per year: consultations taken part in, comments, adopted.
    Newest year first; two queries."""
    years: dict[int, dict] = defaultdict(lambda: {"consultations": 0, "comments": 0, "adopted": 0})
    taken = (
        Participation.objects.visible_to(user)
        .filter(station=station)
        .exclude(consultation__status=Consultation.Status.DRAFT)
        .annotate(year=ExtractYear("consultation__opens_on"))
        .values("year")
        .annotate(n=Count("pk"))
    )
    for row in taken:
        years[row["year"]]["consultations"] = row["n"]
    said = (
        Comment.objects.visible_to(user)
        .filter(station=station)
        .annotate(year=ExtractYear("received_on"))
        .values("year")
        .annotate(n=Count("pk"), adopted=Count("pk", filter=Q(adopted=True)))
    )
    for row in said:
        years[row["year"]]["comments"] = row["n"]
        years[row["year"]]["adopted"] = row["adopted"]
    return [{"year": year, **figures} for year, figures in sorted(years.items(), reverse=True)]


def _within(period) -> Q:
    return Q(received_on__gte=period.start, received_on__lte=period.end)


def dashboard_panel(user, region, period) -> dict | None:
    """The legislative points under `region` in `period` (four queries), or None if none."""
    points = list(legislative_points(user, under_path=region.path).values("pk", "name"))
    if not points:
        return None
    taken = dict(
        Participation.objects.visible_to(user)
        .filter(
            station_id__in=[p["pk"] for p in points],
            consultation__opens_on__lte=period.end,
            consultation__closes_on__gte=period.start,
        )
        .exclude(consultation__status=Consultation.Status.DRAFT)
        .order_by()
        .values("station_id")
        .annotate(n=Count("pk"))
        .values_list("station_id", "n")
    )
    said = {
        row["station_id"]: row
        for row in Comment.objects.visible_to(user)
        .filter(_within(period), station_id__in=[p["pk"] for p in points])
        .order_by()
        .values("station_id")
        .annotate(n=Count("pk"), adopted=Count("pk", filter=Q(adopted=True)))
    }
    rows = [
        {
            "station_id": p["pk"],
            "name": p["name"],
            "consultations": taken.get(p["pk"], 0),
            "comments": said.get(p["pk"], {}).get("n", 0),
            "adopted": said.get(p["pk"], {}).get("adopted", 0),
        }
        for p in points
    ]
    rows.sort(key=lambda r: (-r["comments"], -r["consultations"], r["name"]))
    return {
        "region": region,
        "period": period,
        "points": len(points),
        "consultations": sum(r["consultations"] for r in rows),
        "comments": sum(r["comments"] for r in rows),
        "adopted": sum(r["adopted"] for r in rows),
        "rows": rows[:10],
        "more": max(0, len(rows) - 10),
    }
