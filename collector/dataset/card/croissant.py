"""croissant.json: the dataset's tables as Croissant 1.0 (mlcommons.org/croissant) metadata.

Every table a record set over its Parquet files, every field typed and described (the data dictionary,
dictionary.py), `month` read from the partition's path, structs as sub-fields; the Responsible AI fields
(collection, timeframe, preprocessing and redaction, personal and sensitive information, the uses the
developers consented to, limitations), and the consent mode and k as properties a machine reads, as the card
states them. Made from the manifest and the `Facts` (facts.py), the contributors' texts (their purposes) as
JSON strings; card.py writes it beside the README.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from collector.dataset.card.dictionary import TABLES as DOCS
from collector.dataset.card.facts import Facts, consent_mode, k_text
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.rows.tables import PARTITION, TABLES
from collector.policy.spdx import spdx_problem

# Croissant 1.0's JSON-LD context, as the specification and mlcroissant give it
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5",
    "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "samplingRate": "cr:samplingRate", "sc": "https://schema.org/", "separator": "cr:separator",
    "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
}


def croissant(url: str, manifest: DatasetManifest, facts: Facts) -> dict[str, Any]:
    uses = "; ".join(f"{purpose} ({count} episode{'s' * (count != 1)})" for purpose, count in facts.purposes)
    licences = [f"https://spdx.org/licenses/{licence}" for licence, _ in facts.licences
                if spdx_problem(licence) is None and " " not in licence and not licence.startswith("(")]
    data: dict[str, Any] = {
        "@context": CONTEXT, "@type": "sc:Dataset",
        "name": "codetape-dataset",
        "description": "Developers' recorded work (edits, saves, diagnostics, test runs, terminal commands, "
                       "git operations) as timestamped steps, each episode reviewed and signed by its "
                       "developer before it was shared; built by codetape.",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": "codetape dataset",
        "url": url,
        "version": f"{len(manifest.builds)}.0.0",
        "datePublished": manifest.builds[-1].finished_at.strftime("%Y-%m-%d") if manifest.builds else None,
        "license": licences or None,
        "rai:dataCollection": (
            "Recorded on developers' own machines by codetape: a language-server bridge beside their editor "
            "(edits, saves, diagnostics, cursor), a file watcher, git, the shell hook and test reports, in "
            "workspaces each developer opted in. Each episode was reviewed (files excluded, time ranges "
            "dropped, text trimmed) and signed by its developer before upload."),
        "rai:dataCollectionType": ["Direct measurement"],
        "rai:dataCollectionTimeframe": [facts.first.strftime("%Y-%m-%d"), facts.last.strftime("%Y-%m-%d")]
        if facts.first is not None and facts.last is not None else None,
        "rai:dataPreprocessingProtocol": (
            "Secrets replaced by placeholders naming their rule before an episode left its journal; files "
            "excluded by the workspace or organisation policy never recorded; the developer's trims applied "
            "before signing. The build verified every episode's hash, signature, consent scope and replay, "
            "and left out the rest (table rejected), revoked episodes and those past their signed "
            "retain_until."),
        "rai:personalSensitiveInformation": (
            "Source code, file paths, terminal commands and their output, test names and messages from the "
            "contributors' workspaces, and the editor they used. Secrets matching the redaction rules were "
            "replaced, but code and output may still hold personal data (names, e-mail addresses in "
            "comments or commits) that no rule recognises. " + _signers_said(manifest)),
        "rai:dataUseCases": uses or None,
        "rai:dataLimitations": (
            "Only what the editor, the watchers and the hooks reported: work outside opted-in workspaces, in "
            "other tools, or while recording was paused is missing (gap steps say where). Whose work an edit "
            "is (origin) is known only where an editor or agent gave evidence; the rest is unknown."),
        "additionalProperty": _properties(manifest),
        "distribution": [_file_set(name) for name in TABLES],
        "recordSet": [_record_set(name) for name in TABLES],
    }
    return {key: value for key, value in data.items() if value is not None}


def _signers_said(manifest: DatasetManifest) -> str:
    attributed = "Attributed episodes name their signer by the signer's public key (signer_key_id)."
    if manifest.trust_issuer is None:
        return attributed
    unlinkable = (
        f"Unlinkable episodes name no signer: each is signed with a key of its own, authorised blindly (RFC "
        f"9474) by issuer {manifest.trust_issuer}, so a receiver can tell that an enrolled member consented, "
        "not which one nor whether two episodes came from the same member; a month is published once at "
        f"least k = {k_text(manifest)} members took authorisations under its key. Their times keep the day "
        "only, codetape's and the editor's versions major.minor (the editor's release channel left out), "
        "step times drawn by default (a burst of typing at one time, its length drawn, pauses drawn within "
        "60 s buckets, against linking by typing rhythm and pausing habits; re-timed with pauses to the "
        "second, 100 ms steps or exact when the statement's timing says so); they name no "
        "workspace folder "
        "and no git remote but a shared one the organisation's policy lists. Their commit ids (the git "
        "table's sha, parents, old and new, the header's head_at_start, and their abbreviations in "
        "commands, output and messages) and agent conversation ids are "
        "pseudonyms of that episode alone: the same commit has the same pseudonym within an episode, and no "
        "repository holds it. The content itself (a repository only one member works on, a coding style, "
        "work pushed to a shared repository) can still identify a member, and the issuer knows who enrolled "
        "and how many authorisations each took.")
    return unlinkable if manifest.trust is None else f"{attributed} {unlinkable}"


def _properties(manifest: DatasetManifest) -> list[dict[str, Any]]:
    """The consent mode and k as schema.org PropertyValues, for a machine to read what the card says."""
    found: list[dict[str, Any]] = [{
        "@type": "sc:PropertyValue", "name": "consent_mode", "value": consent_mode(manifest),
        "description": "attributed: each episode names its signer's key; unlinkable: each is signed under a "
                       "key of its own an issuer authorised blindly, naming no one"}]
    used = manifest.k_used()
    if manifest.trust_issuer is not None and used:
        found.append({
            "@type": "sc:PropertyValue", "name": "min_contributors", "value": used[-1], "minValue": min(used),
            "description": "k (--min-contributors): a month of unlinkable episodes is published once at "
                           "least this many members took authorisations under its key (minValue: the lowest "
                           "k any build published under)"})
    return found


def _file_set(name: str) -> dict[str, Any]:
    return {"@type": "cr:FileSet", "@id": f"{name}-files", "name": f"{name}-files",
            "description": f"the Parquet files of {name}", "encodingFormat": "application/x-parquet",
            "includes": f"{name}/**/*.parquet"}


def _record_set(name: str) -> dict[str, Any]:
    doc = DOCS[name]
    fields = [_field(name, arrow) for arrow in TABLES[name]]
    return {"@type": "cr:RecordSet", "@id": name, "name": name, "description": doc.summary, "field": fields}


def _field(table: str, arrow: pa.Field) -> dict[str, Any]:
    described = DOCS[table].columns[arrow.name]
    made: dict[str, Any] = {"@type": "cr:Field", "@id": f"{table}/{arrow.name}", "name": arrow.name,
                            "description": described}
    source: dict[str, Any] = {"fileSet": {"@id": f"{table}-files"}}
    if arrow.name == PARTITION:  # in the path, not in the files
        source["extract"] = {"fileProperty": "fullpath"}
        source["transform"] = {"regex": f"^.*{PARTITION}=([0-9]{{4}}-[0-9]{{2}})/.*$"}
        made.update(dataType="sc:Text", source=source)
        return made
    source["extract"] = {"column": arrow.name}
    kind = arrow.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        made["repeated"] = True
        kind = kind.value_type
    if pa.types.is_struct(kind):
        made["subField"] = [{"@type": "cr:Field", "@id": f"{table}/{arrow.name}/{child.name}",
                             "name": child.name, "dataType": _data_type(child.type),
                             "source": {"fileSet": {"@id": f"{table}-files"},
                                        "extract": {"column": arrow.name}, "transform": {
                                            "jsonPath": child.name}}}
                            for child in kind]
        made["dataType"] = "sc:Text"
    else:
        made["dataType"] = _data_type(kind)
    made["source"] = source
    return made


def _data_type(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "sc:Integer"
    if pa.types.is_floating(kind):
        return "sc:Float"
    if pa.types.is_boolean(kind):
        return "sc:Boolean"
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return "sc:Date"
    return "sc:Text"
