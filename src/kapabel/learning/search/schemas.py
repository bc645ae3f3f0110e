"""The API's shapes for the catalogue search: the query (search text and facet filters) and the facets."""

from __future__ import annotations

from ninja import Field, Schema

from kapabel.core.api_schema import Id
from kapabel.learning.search.facets import Filters


class OfferQuery(Schema):
    """`?search=` and the facet filters; repeat a filter for alternatives (`?kind=course&kind=e_learning`)."""

    search: str = Field("", description="Danish search text (stems and prefixes)")
    kind: list[str] = Field(default_factory=list, description="course, education_module, …")
    category_id: list[Id] = Field(default_factory=list)
    level: list[str] = Field(default_factory=list, description="none, amu, akademi, diplom, master")
    provider_id: list[Id] = Field(default_factory=list)
    ects: list[str] = Field(default_factory=list, description="none, upto_5, 5_10, 10_30, over_30")
    price: list[str] = Field(
        default_factory=list, description="free, upto_5000, 5000_15000, 15000_40000, over_40000"
    )
    starts: list[str] = Field(
        default_factory=list, description="next start: month, quarter, half_year, later, none"
    )

    def filters(self) -> Filters:
        return Filters(
            kind=tuple(self.kind),
            category_id=tuple(self.category_id),
            level=tuple(self.level),
            provider_id=tuple(self.provider_id),
            ects=tuple(self.ects),
            price=tuple(self.price),
            starts=tuple(self.starts),
        )


class FacetValueOut(Schema):
    key: str
    label: str
    count: int
    selected: bool


class FacetOut(Schema):
    name: str
    label: str
    values: list[FacetValueOut]


class FacetsOut(Schema):
    count: int
    facets: list[FacetOut]
