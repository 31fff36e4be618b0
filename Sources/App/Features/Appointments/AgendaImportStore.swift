import Domain
import Fluent
import Foundation
import Vapor

/// Taking over a practice's upcoming appointments from its previous agenda (.ics or CSV): a report first (what would be
/// booked, and every line left out with its reason), then the import of what the report accepted, each appointment
/// booked through the same path as a secretary's booking, all journaled.
enum AgendaImportStore {
    struct Rejection: Content { let line: Int; let uid: String?; let reasons: [String] }

    struct Report: Content {
        let format: String
        let dryRun: Bool
        let rows: Int
        /// The appointments the import takes (or took).
        let accepted: Int
        let imported: Int
        /// Patients the file named whom the practice did not know, made from the file (identity to check: « provisoire »).
        let patientsCreated: Int
        let rejected: [Rejection]
    }

    private struct Planned {
        let row: AgendaImportRow
        let motif: Motif
        let patient: UUID?
    }

    static let maxBytes = 5 * 1024 * 1024

    /// Reads the file (`text/calendar` or `text/csv`), checks every line against the practice's rules and, unless
    /// `dryRun`, books what it accepted for `practitioner`. `motif` is the motif of lines that name none.
    static func run(_ bytes: [UInt8], contentType: HTTPMediaType?, practitioner: UUID, motif defaultMotif: UUID?, dryRun: Bool,
                    in ctx: BookingContext, today: LocalDate, on db: any Database) async throws -> Report {
        _ = try await AppointmentStore.practitioner(practitioner, in: ctx.practice, on: db)
        if let defaultMotif, ctx.agenda.motif(defaultMotif) == nil { throw AppError.invalid("motifId", "motif inconnu dans ce cabinet") }
        let text = String(decoding: bytes, as: UTF8.self)
        let isCalendar = contentType.map { $0.subType == "calendar" } ?? text.uppercased().hasPrefix("BEGIN:VCALENDAR")
        let parsed: (rows: [AgendaImportRow], rejected: [AgendaImportRejection])
        do {
            if isCalendar {
                parsed = try AgendaImportFile.ics(text, zone: ctx.zone)
            } else {
                let file: CSVFile
                do { file = try CSVFile.read(bytes) } catch { throw AgendaImportFileProblem(reason: error.reason) }
                parsed = try AgendaImportFile.csv(file, zone: ctx.zone)
            }
        } catch let problem as AgendaImportFileProblem {
            throw AppError.invalid("file", problem.reason)
        }
        var rejected = parsed.rejected.map { Rejection(line: $0.line, uid: $0.uid, reasons: $0.reasons) }
        let known = try await patients(of: ctx.practice, on: db)
        let motifs = try await AgendaStore.motifs(of: ctx.practice, on: db).map(\.domain).filter { !$0.archived && $0.practitionerIDs.contains(practitioner) }
        var planned: [Planned] = []
        var taken: [(interval: DateInterval, line: Int)] = []
        for row in parsed.rows.sorted(by: { $0.line < $1.line }) {
            var reasons: [String] = []
            if row.start < ctx.now { reasons.append("date passée (\(FrenchFormat.shortDate(row.start, in: ctx.zone)) \(FrenchFormat.time(row.start, in: ctx.zone)))") }
            var motif: Motif?
            if let label = row.motifLabel {
                motif = motifs.first { NameFolding.compact($0.label) == NameFolding.compact(label) }
                if motif == nil { reasons.append("motif inconnu « \(label) » pour ce praticien") }
            } else if let defaultMotif {
                motif = motifs.first { $0.id == defaultMotif }
                if motif == nil { reasons.append("ce praticien ne prend pas le motif choisi") }
            } else {
                reasons.append("motif manquant : choisissez le motif des lignes qui n'en nomment pas")
            }
            if let motif, row.start >= ctx.now {
                let breaches = (try? ctx.agenda.breaches(practitioner: practitioner, motif: motif, start: row.start, now: ctx.now, urgent: false)) ?? []
                // Notice and horizon were the previous agenda's business: the appointment is already agreed.
                reasons += breaches.filter {
                    switch $0 {
                    case .tooShortNotice, .beyondHorizon: false
                    default: true
                    }
                }.map(\.reason)
                let wanted = DateInterval(start: row.start, duration: TimeInterval((motif.durationMinutes + motif.bufferAfterMinutes) * 60))
                let plan = ctx.agenda.dayPlan(for: practitioner, on: LocalDate(row.start, in: ctx.zone))
                func overlaps(_ other: DateInterval) -> Bool { other.start < wanted.end && wanted.start < other.end }
                if let busy = plan.busy.first(where: overlaps) {
                    reasons.append("chevauche un rendez-vous déjà pris à \(FrenchFormat.time(busy.start, in: ctx.zone))")
                } else if let other = taken.first(where: { overlaps($0.interval) }) {
                    reasons.append("chevauche le rendez-vous de la ligne \(other.line)")
                }
            }
            var patient: UUID?
            switch AgendaImportPatient.match(row, among: known) {
            case .one(let id): patient = id
            case .several(let count): reasons.append("\(count) dossiers correspondent à \(row.birthName) \(row.firstNames) : à prendre à la main")
            case .none where row.birthDate == nil:
                reasons.append("patient inconnu du cabinet, sans date de naissance pour créer son dossier")
            case .none: patient = nil
            }
            guard reasons.isEmpty, let motif else {
                rejected.append(Rejection(line: row.line, uid: row.uid, reasons: reasons))
                continue
            }
            planned.append(Planned(row: row, motif: motif, patient: patient))
            taken.append((DateInterval(start: row.start, duration: TimeInterval((motif.durationMinutes + motif.bufferAfterMinutes) * 60)), row.line))
        }
        let format = isCalendar ? "ics" : "csv"
        guard !dryRun else {
            return Report(format: format, dryRun: true, rows: parsed.rows.count + parsed.rejected.count, accepted: planned.count, imported: 0,
                          patientsCreated: planned.filter { $0.patient == nil }.count, rejected: rejected.sorted { $0.line < $1.line })
        }

        // The patients the file names and the practice does not know, made first in one journaled batch.
        var created: [BulkPatient] = []
        var patientOf: [Int: UUID] = [:]
        var madeFor: [String: UUID] = [:]
        for plan in planned where plan.patient == nil {
            let row = plan.row
            let key = "\(NameFolding.compact(row.birthName))|\(NameFolding.compact(row.firstNames))|\(row.birthDate?.description ?? "")"
            if let id = madeFor[key] { patientOf[row.line] = id; continue }
            let draft = PatientDraft(birthName: row.birthName, firstNames: row.firstNames, birthDate: row.birthDate?.description ?? "", sex: "I",
                                     phones: row.phone.map { [($0.e164, $0.isFrenchMobile ? "portable" : "fixe")] } ?? [])
            switch draft.check(today: today) {
            case .failure(let problems):
                rejected.append(Rejection(line: row.line, uid: row.uid, reasons: problems.list.map { "\($0.field) : \($0.reason)" }))
            case .success(let checked):
                let id = UUID()
                created.append(BulkPatient(id: id, practice: ctx.practice.id, birthName: checked.birthName, firstNames: checked.firstNames,
                                           usedName: nil, birthDate: checked.birthDate.description, sex: checked.sex,
                                           notes: "Dossier créé par l'import de l'agenda précédent : identité à vérifier.", createdAt: ctx.now,
                                           phones: Array(zip(checked.phones, checked.phoneLabels))))
                madeFor[key] = id
                patientOf[row.line] = id
            }
        }
        let newPatients = created
        if !newPatients.isEmpty {
            try await ctx.write.writer.transaction(on: db, actor: ctx.write.actor, requestID: ctx.write.requestID) { tx, journal in
                try await PatientSearch.insertNew(newPatients, on: tx)
                try await journal.record(.import, entity: "agenda_import", entityID: ctx.practice.id.uuidString, practiceID: ctx.practice.id,
                                         after: ["patients": newPatients.map(\.id.uuidString).joined(separator: ",")])
            }
            ctx.write.patientIndex.changed(ctx.practice.id, patients: newPatients.map(\.id))
        }
        var imported = 0
        for plan in planned {
            guard let patient = plan.patient ?? patientOf[plan.row.line] else { continue }
            let input = BookingInput(patientId: patient, practitionerId: practitioner, motifId: plan.motif.id,
                                     start: ISOTimestamp.string(plan.row.start, in: ctx.zone), source: BookingSource.phone.rawValue,
                                     notes: "Repris de l'agenda précédent" + (plan.row.uid.map { " (\($0))" } ?? ""), urgencyLevel: nil, holdId: nil, override: nil)
            do {
                _ = try await AppointmentStore.book(input, in: ctx, on: db)
                imported += 1
            } catch let error as AppError {
                rejected.append(Rejection(line: plan.row.line, uid: plan.row.uid, reasons: [error.detail]))
            }
        }
        let summary = ["format": format, "imported": String(imported), "rejected": String(rejected.count), "patientsCreated": String(newPatients.count)]
        try await ctx.write.writer.transaction(on: db, actor: ctx.write.actor, requestID: ctx.write.requestID) { tx, journal in
            try await journal.record(.import, entity: "agenda_import", entityID: ctx.practice.id.uuidString, practiceID: ctx.practice.id, after: summary)
        }
        return Report(format: format, dryRun: false, rows: parsed.rows.count + parsed.rejected.count, accepted: planned.count, imported: imported,
                      patientsCreated: newPatients.count, rejected: rejected.sorted { $0.line < $1.line })
    }

    /// The practice's current patients with their phones, as the import compares them.
    private static func patients(of practice: AuthorizedPractice, on db: any Database) async throws -> [AgendaImportPatient] {
        let records = try await PatientRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$mergedIntoID == nil)
            .filter(\.$anonymisedAt == nil).all()
        let phones = try await PatientSearch.phones(of: records.compactMap(\.id), on: db)
        return records.compactMap { record in
            guard let born = LocalDate(iso: record.birthDate) else { return nil }
            return AgendaImportPatient(id: record.id!, birthName: record.birthName, firstNames: record.firstNames, birthDate: born,
                                       phones: (phones[record.id!] ?? []).map(\.number.e164))
        }
    }
}
