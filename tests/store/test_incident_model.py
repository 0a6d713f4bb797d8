"""The rule by which a draft being edited takes in what the store gained meanwhile (a recording
attached while the form was open, or while only an autosave held the typing): pure, no Qt."""

from __future__ import annotations

from kasuhara_recorder.store.incident_model import IncidentDraft, Marker, with_attached_markers

OLD = Marker("conduct.mental", 1_000, "机を叩いた", "山田", "rec-1")
STORED = IncidentDraft(narrative="", categories=("conduct.mental",), markers=(OLD,))


def attached(*markers: Marker, categories: tuple[str, ...] = ()) -> IncidentDraft:
    """The store after a recording was attached: its markers appended, their categories ticked."""
    return IncidentDraft(
        categories=tuple(dict.fromkeys(STORED.categories + categories)),
        markers=STORED.markers + markers,
    )


def test_markers_attached_since_are_added_with_their_categories_and_the_typing_kept():
    screen = STORED.with_changes(narrative="書きかけ", department="市民課")
    new = Marker("demand.apology", 300, "", "山田", "rec-2")
    merged = with_attached_markers(screen, attached(new, categories=("demand.apology",)))
    assert merged.markers == (OLD, new)
    assert merged.categories == ("conduct.mental", "demand.apology")
    assert (merged.narrative, merged.department) == ("書きかけ", "市民課")


def test_nothing_attached_changes_nothing():
    screen = STORED.with_changes(narrative="書きかけ", categories=())
    assert with_attached_markers(screen, STORED) is screen


def test_a_note_edited_on_the_screen_stays():
    screen = STORED.with_changes(
        markers=(Marker("conduct.mental", 1_000, "直した", "山田", "rec-1"),)
    )
    assert with_attached_markers(screen, STORED) is screen


def test_a_category_unticked_on_the_screen_stays_unticked_unless_a_new_marker_has_it():
    screen = STORED.with_changes(categories=())  # the worker decided it was not 3(2)ア
    new = Marker("demand.apology", 300, "", "山田", "rec-2")
    merged = with_attached_markers(screen, attached(new, categories=("demand.apology",)))
    assert merged.categories == ("demand.apology",)


def test_a_new_marker_ticks_its_category_again():
    """The one rule, whether the form was open or only an autosave held the typing: a recording
    tagged with a category, attached since, ticks it."""
    screen = STORED.with_changes(categories=())
    again = Marker("conduct.mental", 5_000, "", "山田", "rec-2")
    merged = with_attached_markers(screen, attached(again))
    assert merged.markers == (OLD, again) and merged.categories == ("conduct.mental",)


def test_a_marker_whose_category_the_store_did_not_tick_ticks_nothing():
    """The store ticks only live-tag categories; the merge follows the store, not the code."""
    screen = STORED.with_changes(categories=())
    odd = Marker("not.a.live.tag", 300, "", "山田", "rec-2")
    merged = with_attached_markers(screen, attached(odd))
    assert merged.markers == (OLD, odd) and merged.categories == ()


def test_markers_are_never_removed_and_never_doubled():
    mine = Marker("conduct.intimidation", 2_000, "", "山田", "rec-1")
    screen = STORED.with_changes(markers=(OLD, mine))  # the store does not have it (yet)
    new = Marker("conduct.mental", 1_000, "", "山田", "rec-2")  # same code and offset, other rec
    stored = attached(new)
    once = with_attached_markers(screen, stored)
    assert once.markers == (OLD, mine, new)
    assert with_attached_markers(once, stored) is once


def test_two_markers_of_one_category_in_one_recording_are_both_added():
    a = Marker("conduct.persistent", 100, "", "山田", "rec-2")
    b = Marker("conduct.persistent", 900, "", "山田", "rec-2")
    merged = with_attached_markers(STORED, attached(a, b, categories=("conduct.persistent",)))
    assert merged.markers == (OLD, a, b)
    assert merged.categories == ("conduct.mental", "conduct.persistent")
