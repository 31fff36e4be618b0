import Domain
import Fluent
import Foundation
import SQLKit
import Vapor

/// Messages to patients — confirmations, reminders with their cancellation link, waiting-list offers — queued in the
/// outbox beside the practitioners' notices. Only to a patient who consented to the channel, to the number or address
/// they gave (a minor's SMS to the guardian), with the practice's wording, which never names the motif.
enum PatientMessages {
    /// The practice's settings; nil when it never set any (it sends nothing).
    static func settings(of practice: UUID, on db: any Database) async throws -> PracticeMessagingRecord? {
        try await PracticeMessagingRecord.query(on: db).filter(\.$practice.$id == practice).first()
    }

    /// Where a patient may be written to, consent by consent.
    struct Addresses: Sendable {
        var sms: String?
        var email: String?
    }

    /// A patient's addresses: the first mobile number of the record (for a minor, the guardian's), the e-mail given,
    /// each only with its consent. Read as plain rows (a day's reminders read thousands of records).
    static func addresses(of patients: some Collection<UUID>, now: Date, on db: any Database) async throws -> [UUID: Addresses] {
        let sql = db as! any SQLDatabase
        let ids = Array(Set(patients))
        var mobiles: [UUID: String] = [:]
        var found: [UUID: Addresses] = [:]
        for chunk in ids.chunked(by: 500) where !chunk.isEmpty {
            for row in try await sql.select().columns("patient_id", "e164").from(PatientPhoneRecord.schema)
                .where("patient_id", .in, SQLBind.group(Array(chunk))).orderBy("position").all() {
                let patient = try row.decode(column: "patient_id", as: UUID.self), number = try row.decode(column: "e164", as: String.self)
                if mobiles[patient] == nil, PhoneNumber(e164: number).isFrenchMobile { mobiles[patient] = number }
            }
            for row in try await sql.select().columns("id", "birth_date", "sms_consent", "email_consent", "email", "guardian_phone", "merged_into_id", "anonymised_at")
                .from(PatientRecord.schema).where("id", .in, SQLBind.group(Array(chunk))).all() {
                let id = try row.decode(column: "id", as: UUID.self)
                guard try row.decode(column: "merged_into_id", as: UUID?.self) == nil, try row.decode(column: "anonymised_at", as: Date?.self) == nil else { continue }
                let minor = Self.isMinor(born: try row.decode(column: "birth_date", as: String.self), now: now)
                var addresses = Addresses()
                if try row.decode(column: "sms_consent", as: Bool.self) {
                    let guardian = try row.decode(column: "guardian_phone", as: String?.self)
                    addresses.sms = minor ? guardian.flatMap { PhoneNumber(e164: $0).isFrenchMobile ? $0 : nil } : mobiles[id]
                }
                if try row.decode(column: "email_consent", as: Bool.self), let email = try row.decode(column: "email", as: String?.self)?.trimmingCharacters(in: .whitespaces),
                   email.contains("@") {
                    addresses.email = email
                }
                found[id] = addresses
            }
        }
        return found
    }

    static func isMinor(born text: String, now: Date) -> Bool {
        guard let born = LocalDate(iso: text) else { return false }
        let today = LocalDate(now, in: FrenchFormat.parisTimeZone)
        let eighteenth = LocalDate(year: born.year + 18, month: born.month, day: min(born.day, 28))
        return today < eighteenth || (today == eighteenth && born.day > 28)
    }

    /// What the fields of a message about an appointment at `start` say.
    static func values(start: Date, practice: PracticeRecord, practitioner: PractitionerRecord?, settings: PracticeMessagingRecord,
                       link: String?) -> [MessageField: String] {
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        var values: [MessageField: String] = [
            .date: FrenchFormat.dayAndMonth(start, in: zone),
            .heure: FrenchFormat.spokenTime(start, in: zone),
            .cabinet: practice.name,
            .adresse: practice.address,
            .telephone: FrenchFormat.phone(practice.phone),
        ]
        if settings.namesPractitioner, let practitioner { values[.praticien] = FrenchSpeech.practitioner(title: practitioner.title, lastName: practitioner.lastName) }
        if !settings.specialtySensitive { values[.specialite] = practice.kind }
        if let link { values[.lien] = link }
        return values
    }

    /// The policy a practice's wordings are checked against.
    static func policy(_ settings: PracticeMessagingRecord, motifLabels: [String]) -> MessagePolicy {
        MessagePolicy(namesPractitioner: settings.namesPractitioner, specialtySensitive: settings.specialtySensitive, motifLabels: motifLabels)
    }

    /// One message row about an appointment, due at `due`.
    static func row(_ kind: PatientMessageKind, channel: MessageChannel, to recipient: String, text: String, appointment: AppointmentRecord,
                    lead: Int? = nil, due: Date, now: Date) -> OutboxMessageRecord {
        row(kind, channel: channel, to: recipient, text: text, practice: appointment.$practice.id, patient: appointment.$patient.id,
            appointment: appointment.id, start: appointment.startsAt, lead: lead, due: due, now: now)
    }

    /// One message row about a time at `start` (an appointment's, or a freed slot's), due at `due`.
    static func row(_ kind: PatientMessageKind, channel: MessageChannel, to recipient: String, text: String, practice: UUID, patient: UUID,
                    appointment: UUID?, start: Date, lead: Int? = nil, due: Date, now: Date) -> OutboxMessageRecord {
        let message = OutboxMessageRecord()
        message.id = UUID()
        message.$practice.id = practice
        message.patientID = patient
        message.appointmentID = appointment
        message.appointmentStart = start
        message.kind = kind.rawValue
        message.leadHours = lead
        message.channel = channel.rawValue
        message.recipient = recipient
        message.subject = kind.emailSubject
        message.body = channel == .sms ? SMSText.folded(text) : text
        message.state = "pending"
        message.attempts = 0
        message.nextAttemptAt = due
        message.createdAt = now
        return message
    }

    /// When a message planned at `planned` leaves: at once for an e-mail, outside the quiet hours for an SMS; nil
    /// when the SMS could only leave after the appointment has begun.
    static func due(_ channel: MessageChannel, planned: Date, now: Date, deadline: Date, zone: TimeZone) -> Date? {
        channel == .email ? max(planned, now) : QuietHours.smsTime(planned: planned, now: now, deadline: deadline, in: zone)
    }

    /// Queues `kind` about each appointment, in the caller's transaction: to each consenting patient of a practice
    /// whose messages are on, on each channel it uses. A confirmation or move of an appointment already begun, or an
    /// SMS that quiet hours would push past its start, is not sent. Returns how many were queued.
    @discardableResult
    static func queue(_ kind: PatientMessageKind, about appointments: [AppointmentRecord], now: Date, on tx: any Database) async throws -> Int {
        guard let first = appointments.first, let settings = try await settings(of: first.$practice.id, on: tx), settings.sms || settings.email,
              let practice = try await PracticeRecord.find(first.$practice.id, on: tx) else { return 0 }
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        let relevant = appointments.filter { kind == .cancelled || $0.startsAt > now }
        let addresses = try await addresses(of: relevant.map { $0.$patient.id }, now: now, on: tx)
        let practitioners = try await practitioners(Set(relevant.map { $0.$practitioner.id }), on: tx)
        var rows: [OutboxMessageRecord] = []
        // A series booked, moved or cancelled at once is told once, about its first appointment.
        var told: Set<UUID> = []
        for appointment in relevant.sorted(by: { $0.startsAt < $1.startsAt }) where told.insert(appointment.$patient.id).inserted {
            guard let to = addresses[appointment.$patient.id] else { continue }
            let values = values(start: appointment.startsAt, practice: practice, practitioner: practitioners[appointment.$practitioner.id], settings: settings, link: nil)
            for channel in MessageChannel.allCases where settings.enabled(channel) {
                guard let recipient = channel == .sms ? to.sms : to.email,
                      let due = due(channel, planned: now, now: now, deadline: max(appointment.startsAt, now.addingTimeInterval(86_400)), zone: zone) else { continue }
                let text = MessageTemplate.render(settings.template(kind, channel), values: values)
                rows.append(row(kind, channel: channel, to: recipient, text: text, appointment: appointment, due: due, now: now))
            }
        }
        try await insert(rows, on: tx)
        return rows.count
    }

    /// Tells each waiting patient whose entry a freed slot matched (in the transaction that matched it): the slot's
    /// day and time, and the practice's number to call to take it.
    @discardableResult
    static func queueOffers(_ entries: [WaitingListEntryRecord], now: Date, on tx: any Database) async throws -> Int {
        guard let first = entries.first, let settings = try await settings(of: first.$practice.id, on: tx), settings.sms || settings.email,
              let practice = try await PracticeRecord.find(first.$practice.id, on: tx) else { return 0 }
        let zone = TimeZone(identifier: practice.timeZone) ?? FrenchFormat.parisTimeZone
        let addresses = try await addresses(of: entries.map(\.patientID), now: now, on: tx)
        let practitioners = try await practitioners(Set(entries.compactMap(\.matchedPractitionerID)), on: tx)
        var rows: [OutboxMessageRecord] = []
        for entry in entries {
            guard let start = entry.matchedStart, start > now, let to = addresses[entry.patientID] else { continue }
            let values = values(start: start, practice: practice, practitioner: entry.matchedPractitionerID.flatMap { practitioners[$0] }, settings: settings, link: nil)
            for channel in MessageChannel.allCases where settings.enabled(channel) {
                guard let recipient = channel == .sms ? to.sms : to.email, let due = due(channel, planned: now, now: now, deadline: start, zone: zone) else { continue }
                rows.append(row(.offer, channel: channel, to: recipient, text: MessageTemplate.render(settings.template(.offer, channel), values: values),
                                practice: practice.id!, patient: entry.patientID, appointment: nil, start: start, due: due, now: now))
            }
        }
        try await insert(rows, on: tx)
        return rows.count
    }

    static let columns = ["id", "practice_id", "patient_id", "appointment_id", "appointment_start", "kind", "lead_hours", "channel", "recipient",
                          "subject", "body", "state", "attempts", "next_attempt_at", "created_at"]

    /// Patients' messages written as rows, many per statement (a day's reminders are tens of thousands).
    static func insert(_ rows: [OutboxMessageRecord], on db: any Database) async throws {
        guard !rows.isEmpty else { return }
        try await SQLValue.insert(rows.map { m -> [(any Encodable & Sendable)?] in
            [m.id!, m.$practice.id, m.patientID, m.appointmentID, m.appointmentStart, m.kind, m.leadHours, m.channel, m.recipient,
             m.subject, m.body, m.state, m.attempts, m.nextAttemptAt, m.createdAt]
        }, into: OutboxMessageRecord.schema, columns: columns, on: db as! any SQLDatabase)
    }

    static func practitioners(_ ids: Set<UUID>, on db: any Database) async throws -> [UUID: PractitionerRecord] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(try await PractitionerRecord.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The reminders still queued for these appointments are withdrawn (the appointment moved or was cancelled): the
    /// record says so rather than a reminder of a time that no longer holds.
    static func withdrawReminders(of appointments: [UUID], reason: String, on tx: any Database) async throws {
        guard !appointments.isEmpty else { return }
        try await OutboxMessageRecord.query(on: tx).filter(\.$appointmentID ~~ appointments).filter(\.$kind == PatientMessageKind.reminder.rawValue)
            .filter(\.$state == "pending").set(\.$state, to: "withdrawn").set(\.$lastError, to: reason).update()
    }

    /// Why a queued message must not leave any more, or nil: its patient withdrew the consent (or the record was
    /// merged or anonymised), or a reminder's appointment is no longer booked at the time it announces.
    static func withdrawal(of message: OutboxMessageRecord, now: Date, on db: any Database) async throws -> String? {
        guard let patientID = message.patientID else { return nil }
        let sql = db as! any SQLDatabase
        guard let patient = try await sql.select().columns("sms_consent", "email_consent", "merged_into_id", "anonymised_at").from(PatientRecord.schema)
            .where("id", .equal, SQLBind(patientID)).first(),
              try patient.decode(column: "merged_into_id", as: UUID?.self) == nil, try patient.decode(column: "anonymised_at", as: Date?.self) == nil else {
            return "dossier du patient fusionné ou anonymisé"
        }
        if message.channel == MessageChannel.sms.rawValue, !(try patient.decode(column: "sms_consent", as: Bool.self)) { return "le patient a retiré son accord pour les SMS" }
        if message.channel == MessageChannel.email.rawValue, !(try patient.decode(column: "email_consent", as: Bool.self)) {
            return "le patient a retiré son accord pour les e-mails"
        }
        if message.kind == PatientMessageKind.reminder.rawValue, let id = message.appointmentID {
            guard let appointment = try await sql.select().columns("status", "starts_at").from(AppointmentRecord.schema).where("id", .equal, SQLBind(id)).first(),
                  try appointment.decode(column: "status", as: String.self) == AppointmentStatus.booked.rawValue else {
                return "rendez-vous annulé ou plus à venir"
            }
            let start = try appointment.decode(column: "starts_at", as: Date.self)
            if start != message.appointmentStart { return "rendez-vous déplacé : un rappel de la nouvelle heure suit" }
            if start <= now { return "rendez-vous déjà commencé" }
        }
        return nil
    }

    /// When a message that failed is tried again: `planned`, or for an SMS the end of the quiet hours, never after
    /// its appointment has begun (a reminder) nor more than a day late (any other); nil when too late.
    static func retryTime(of message: OutboxMessageRecord, planned: Date, now: Date, zone: TimeZone) -> Date? {
        guard message.kind != nil else { return planned }
        let deadline = message.kind == PatientMessageKind.reminder.rawValue ? (message.appointmentStart ?? planned) : message.createdAt.addingTimeInterval(86_400)
        guard let channel = MessageChannel(rawValue: message.channel) else { return planned }
        return due(channel, planned: planned, now: now, deadline: deadline, zone: zone).flatMap { $0 < deadline ? $0 : nil }
    }

    /// A patient's message that could not be handed over or delivered becomes a callback in the practice's queue:
    /// a secretary phones the patient instead.
    static func planCallback(for message: OutboxMessageRecord, app: Application, now: Date) async throws {
        guard let patientID = message.patientID, let kind = message.kind.flatMap(PatientMessageKind.init(rawValue:)) else { return }
        let practice = AuthorizedPractice.system(message.$practice.id)
        let zone = FrenchFormat.parisTimeZone
        let when = message.appointmentStart.map { " du \(FrenchFormat.shortDate($0, in: zone)) à \(FrenchFormat.spokenTime($0, in: zone))" } ?? ""
        let channel = MessageChannel(rawValue: message.channel)?.label ?? message.channel
        let input = TaskInput(kind: .callback, patientId: patientID, title: "\(kind.label) non remis(e) par \(channel) : prévenir le patient par téléphone (rendez-vous\(when))",
                              details: "Message à \(message.recipient) : \(message.lastError ?? "échec")",
                              phone: message.channel == MessageChannel.sms.rawValue ? message.recipient : nil,
                              priority: kind == .reminder || kind == .moved || kind == .cancelled ? .high : .normal,
                              dueAt: message.appointmentStart.map { ISOTimestamp.string($0, in: zone) })
        let context = WriteContext(actor: .system("messages"), requestID: nil, writer: app.writer, database: app.db,
                                   patientIndex: app.patientIndexCache, live: app.liveHub)
        _ = try await TaskStore.create(input, in: practice, context: context, now: now)
    }

    /// A message as the patient's record lists it.
    struct Row: Encodable {
        let when: String
        let what: String
        let to: String
        let state: String
        let stateCode: String
    }

    static func rows(of patient: UUID, in practice: AuthorizedPractice, zone: TimeZone, limit: Int = 30, on db: any Database) async throws -> [Row] {
        try await OutboxMessageRecord.query(on: db).filter(\.$practice.$id == practice.id).filter(\.$patientID == patient)
            .sort(\.$createdAt, .descending).limit(limit).all().map { message in
                let kind = message.kind.flatMap(PatientMessageKind.init(rawValue:))?.label ?? "Message"
                let about = message.appointmentStart.map { " — rendez-vous du \(FrenchFormat.shortDate($0, in: zone)) à \(FrenchFormat.time($0, in: zone))" } ?? ""
                let lead = message.leadHours.map { " \($0) h avant" } ?? ""
                let channel = MessageChannel(rawValue: message.channel)?.label ?? message.channel
                return Row(when: FrenchFormat.moment(message.createdAt, in: zone), what: "\(kind)\(lead) par \(channel)\(about)",
                           to: message.channel == MessageChannel.sms.rawValue ? FrenchFormat.phone(message.recipient) : message.recipient,
                           state: Outbox.stateLabel(message), stateCode: message.state)
            }
    }
}
