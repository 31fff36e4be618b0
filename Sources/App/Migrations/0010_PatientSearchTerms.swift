import Domain

/// The words migration 0010 wrote for the patients already there (the table is dropped by 0012: the search answers
/// from the in-memory index): each folded word of the birth name, the used name and the first names, and each name in
/// one piece. Kept as it was so that the migration does not change.
enum PatientSearchTerms {
    static func terms(birthName: String, usedName: String?, firstNames: String) -> Set<String> {
        var terms = Set<String>()
        for name in [birthName, usedName ?? ""] where !name.isEmpty {
            terms.formUnion(NameFolding.words(name))
            terms.insert(NameFolding.compact(name))
        }
        terms.formUnion(NameFolding.words(firstNames))
        return terms.filter { !$0.isEmpty }
    }
}
