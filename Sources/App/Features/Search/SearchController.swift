import Domain
import Fluent
import Foundation
import Vapor

/// `GET /recherche?recherche=`: the search from anywhere (the top bar's field, the « / » key): the practices one may see whose
/// name or dialled number answers, and their patients found as the practice's own search finds them (name, first
/// name, birth date, phone), each with the practice they belong to.
struct SearchController: RouteCollection {
    /// Patients shown per practice: the search narrows with more words, the page stays short.
    static let patientsPerPractice = 8

    func boot(routes: any RoutesBuilder) throws {
        routes.get(.search, use: page)
    }

    struct PracticeHit: Encodable { let id: UUID; let name: String; let numbers: String }
    struct PatientHit: Encodable { let name: String; let born: String; let phones: String; let link: String }
    struct PatientGroup: Encodable { let practiceName: String; let patients: [PatientHit] }
    struct Page: Encodable {
        let layout: PracticesController.Layout
        let query: String
        let practices: [PracticeHit]
        let groups: [PatientGroup]
        let searched: Bool
    }

    @Sendable func page(req: Request) async throws -> View {
        let principal = try req.requirePrincipal()
        // Its own name: a page's own search field (`q`) stays the first one a person or a script finds by name.
        let text = (req.query[String.self, at: "recherche"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count <= 200 else { throw AppError.invalid("recherche", "200 caractères au plus") }
        var practices: [PracticeHit] = []
        var groups: [PatientGroup] = []
        if !text.isEmpty {
            let visible = try await PracticeStore.visible(to: principal, on: req.db)
            let numbers = Dictionary(grouping: try await PracticeNumberRecord.query(on: req.db).filter(\.$practice.$id ~~ visible.map { $0.id! })
                .sort(\.$position).all(), by: { $0.$practice.id })
            let words = NameFolding.fold(text)
            let digits = text.filter(\.isNumber)
            let dialled = (try? PhoneNumber(parsing: text))?.e164
            for practice in visible {
                let own = numbers[practice.id!] ?? []
                let byName = !words.isEmpty && NameFolding.fold(practice.name).contains(words)
                let byNumber = own.contains { $0.number == dialled || (digits.count >= 4 && $0.number.filter(\.isNumber).hasSuffix(digits)) }
                if byName || byNumber {
                    practices.append(PracticeHit(id: practice.id!, name: practice.name,
                                                 numbers: own.map { FrenchFormat.phone($0.number) }.joined(separator: ", ")))
                }
            }
            let today = req.parisToday
            for practice in visible {
                let authorized = try await req.authorize(practice: practice.id!)
                let found = try await PatientSearch.search(text, in: authorized, today: today, limit: Self.patientsPerPractice,
                                                           cache: req.application.patientIndexCache, on: req.db)
                guard !found.isEmpty else { continue }
                groups.append(PatientGroup(practiceName: practice.name, patients: found.map {
                    PatientHit(name: $0.displayName, born: $0.birthDate.birthText(on: today), phones: $0.phones.map(\.number.display).joined(separator: ", "),
                               link: SitePath.patient.link(practice.id!, $0.id))
                }))
            }
        }
        return try await req.view.render("search/results", Page(layout: .init(principal), query: text, practices: practices, groups: groups,
                                                                 searched: !text.isEmpty))
    }
}
