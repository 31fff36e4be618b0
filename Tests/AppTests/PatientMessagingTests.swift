@testable import App
import Domain
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting

/// Issue 24: confirmations, reminders with their link, offers to the waiting list. Practice A (a 20-minute
/// « Consultation », weekday mornings), the clock on Tuesday 24 November 2026, 09:30 Paris.
struct PatientMessagingTests {
    static let mobile = "+33612345678"
    static let email = "marie.durand@example.fr"

    /// Messages on for practice A: SMS and e-mail, a reminder 24 h before, links cancelling until 2 h before.
    static func turnOn(_ app: Application, practice: UUID, sms: Bool = true, email: Bool = true) async throws {
        let settings = PracticeMessagingRecord.off(practice: practice, now: Date())
        settings.id = UUID()
        settings.sms = sms
        settings.email = email
        settings.linkNoticeHours = 2
        try await settings.create(on: app.db)
    }

    /// A patient of practice A who accepts both channels, with a mobile and an address.
    static func consenting(_ app: Application, practice: UUID, name: String = "Durand", mobile: String = mobile, email: String = email,
                           born: String = "1957-12-03", sms: Bool = true, mail: Bool = true) async throws -> UUID {
        let patient = PatientRecord(id: UUID(), practice: practice, birthName: name, firstNames: "Marie", usedName: nil, birthDate: born, sex: "F")
        patient.smsConsent = sms
        patient.emailConsent = mail
        patient.email = email
        try await patient.create(on: app.db)
        try await PatientPhoneRecord(practice: practice, patient: patient.id!, phone: PhoneNumber(e164: mobile), label: "portable", position: 0).create(on: app.db)
        app.patientIndexCache.changed(practice, patients: [patient.id!])
        return patient.id!
    }

    static func messages(_ app: Application, kind: PatientMessageKind? = nil) async throws -> [OutboxMessageRecord] {
        let query = OutboxMessageRecord.query(on: app.db).filter(\.$kind != nil).sort(\.$createdAt).sort(\.$channel)
        if let kind { query.filter(\.$kind == kind.rawValue) }
        return try await query.all()
    }

    static func book(_ app: Application, _ s: AppointmentsAPITests.Setup, patient: UUID, at start: String) async throws -> UUID {
        let booked = try await app.api(.POST, "\(s.base)/appointments", token: s.token, json: s.booking(start, patient: patient))
        #expect(booked.status == .created, "\(booked.body.string)")
        return try booked.content.decode(AppointmentsAPITests.Result.self).appointment.id
    }

    /// The link a reminder carries.
    /// A practice sending e-mails, a consenting patient booked on Thursday 26 November at 10:00, and an hour later
    /// her reminder queued: the setting, the appointment and the token of the reminder's link.
    static func remindedByEmail(_ app: Application, clock: TestClock) async throws -> (AppointmentsAPITests.Setup, UUID, String) {
        let s = try await AppointmentsAPITests.setUp(app)
        try await turnOn(app, practice: s.world.practiceA, sms: false, email: true)
        let patient = try await consenting(app, practice: s.world.practiceA)
        let id = try await book(app, s, patient: patient, at: "2026-11-26T10:00:00+01:00")
        clock.advance(by: 3_600)
        #expect(try await PatientReminders.queue(app: app, now: clock.now) == 1)
        return (s, id, try token(in: try #require(try await messages(app, kind: .reminder).first).body))
    }

    static func token(in body: String) throws -> String {
        let range = try #require(body.range(of: "/r/"))
        return String(body[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }

    // MARK: Confirmations

    @Test func aBookingIsConfirmedOnEachConsentedChannelWithoutTheMotif() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            try await Self.turnOn(app, practice: s.world.practiceA)
            let patient = try await Self.consenting(app, practice: s.world.practiceA)
            _ = try await Self.book(app, s, patient: patient, at: "2026-11-26T10:00:00+01:00")
            let sent = try await Self.messages(app)
            #expect(sent.map(\.channel) == ["email", "sms"])
            #expect(sent.map(\.recipient) == [Self.email, Self.mobile])
            #expect(sent.allSatisfy { $0.kind == "confirmation" && $0.state == "pending" && $0.nextAttemptAt == clock.now && $0.patientID == patient })
            let sms = try #require(sent.last)
            #expect(sms.body.contains("jeudi 26 novembre à 10 h"))
            #expect(SMSText.measure(sms.body).gsm7 && SMSText.measure(sms.body).messages == 1)
            for message in sent {
                #expect(!message.body.contains("Consultation") && !message.subject.contains("Consultation"), "no motif: \(message.body)")
                #expect(!message.body.contains("Aubert"), "the practice does not name its practitioner")
            }
            // Handed over: the e-mail to the log (no relay), the SMS to the log (no gateway); nothing is left due.
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 2)
            #expect(try await Self.messages(app).allSatisfy { $0.state == "sent" && $0.provider == "log" })
        }
    }

    @Test func aPatientWithoutConsentOrAPracticeWithoutMessagesGetsNothing() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            // Practice A sends nothing yet: no settings.
            let patient = try await Self.consenting(app, practice: s.world.practiceA)
            _ = try await Self.book(app, s, patient: patient, at: "2026-11-26T10:00:00+01:00")
            #expect(try await Self.messages(app).isEmpty)
            try await Self.turnOn(app, practice: s.world.practiceA, sms: true, email: false)
            let refusing = try await Self.consenting(app, practice: s.world.practiceA, name: "Refus", mobile: "+33698765432", sms: false, mail: true)
            _ = try await Self.book(app, s, patient: refusing, at: "2026-11-26T10:20:00+01:00")
            #expect(try await Self.messages(app).isEmpty, "SMS refused by the patient; e-mail not used by the practice")
        }
    }

    @Test func aMinorsSMSGoesToTheGuardiansNumber() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            try await Self.turnOn(app, practice: s.world.practiceA, sms: true, email: false)
            let child = try await Self.consenting(app, practice: s.world.practiceA, name: "Petit", mobile: "+33611111111", born: "2015-03-02")
            let record = try #require(try await PatientRecord.find(child, on: app.db))
            record.guardianPhone = "+33622222222"
            try await record.update(on: app.db)
            _ = try await Self.book(app, s, patient: child, at: "2026-11-26T10:00:00+01:00")
            #expect(try await Self.messages(app).map(\.recipient) == ["+33622222222"])
        }
    }

    // MARK: Reminders and their link

    @Test func theReminderIsQueuedOnceADayAheadWithALinkThatCancelsOnceAsThePatient() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            try await Self.turnOn(app, practice: s.world.practiceA)
            let patient = try await Self.consenting(app, practice: s.world.practiceA)
            let id = try await Self.book(app, s, patient: patient, at: "2026-11-26T10:00:00+01:00")
            let waiting = try await Self.consenting(app, practice: s.world.practiceA, name: "Pressé", mobile: "+33633333333", email: "presse@example.fr")
            let entry = try await app.api(.POST, "\(s.base)/waiting-list", token: s.token, json: """
                {"patientId":"\(waiting)","motifId":"\(s.motif)","from":"2026-11-25T00:00:00+01:00","until":"2026-11-28T00:00:00+01:00"}
                """)
            #expect(entry.status == .created)
            // Tuesday 09:30: the 24-hour reminder (Wednesday 10:00) is not within the day ahead yet; at 10:30 it is.
            #expect(try await PatientReminders.queue(app: app, now: clock.now) == 0)
            clock.advance(by: 3_600)
            #expect(try await PatientReminders.queue(app: app, now: clock.now) == 2)
            #expect(try await PatientReminders.queue(app: app, now: clock.now) == 0, "queued once")
            let reminders = try await Self.messages(app, kind: .reminder)
            let planned = try #require(ISOTimestamp.parse("2026-11-25T10:00:00+01:00"))
            #expect(reminders.allSatisfy { $0.nextAttemptAt == planned && $0.leadHours == 24 && $0.appointmentID == id })
            let mail = try #require(reminders.first { $0.channel == "email" })
            #expect(!mail.body.contains("Consultation"))
            let token = try Self.token(in: mail.body)
            #expect(token.count == 22)
            #expect(try Self.token(in: try #require(reminders.first { $0.channel == "sms" }).body) == token, "one link for both")
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 2, "the confirmations only: the reminders are not due")

            clock.advance(by: 86_400)
            var patientBrowser = Browser(app)
            // Nothing without the link, nor with a guessed or altered one.
            for path in ["/r/" + String(repeating: "A", count: 22), "/r/" + String(token.dropLast()) + (token.last == "A" ? "B" : "A"), "/r/x"] {
                let refused = try await patientBrowser.get(path)
                #expect(refused.status == .notFound)
                #expect(refused.body.string.contains("Ce lien n&#39;est pas valable") && !refused.body.string.contains("jeudi"))
            }
            let page = try await patientBrowser.get("/r/" + token)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("jeudi 26 novembre") && page.body.string.contains("10 h"))
            #expect(page.body.string.contains("Annuler ce rendez-vous") && page.body.string.contains("Je viendrai"))
            #expect(!page.body.string.contains("Consultation") && !page.body.string.contains("Durand"), "neither the motif nor the name")
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let done = try await patientBrowser.post("/r/" + token, form: [("csrf", csrf), ("action", "annuler")])
            #expect(done.status == .ok, "\(done.body.string)")
            #expect(done.body.string.contains("Votre rendez-vous est annulé"))

            let appointment = try #require(try await AppointmentRecord.find(id, on: app.db))
            #expect(appointment.status == "cancelled" && appointment.cancellationParty == "patient")
            let entryState = try await WaitingListEntryRecord.query(on: app.db).filter(\.$patientID == waiting).first()?.state
            #expect(entryState == "to-call", "the freed slot goes to the waiting list")
            let journal = try await AuditEntryRecord.query(on: app.db).filter(\.$entity == "appointment").filter(\.$entityID == id.uuidString)
                .sort(\.$occurredAt, .descending).first()
            #expect(journal?.actorLabel == AppointmentLinks.actorLabel)
            #expect(try await Self.messages(app, kind: .reminder).allSatisfy { $0.state == "withdrawn" }, "the reminders of a cancelled appointment")
            #expect(try await Self.messages(app, kind: .offer).map(\.recipient).sorted() == ["+33633333333", "presse@example.fr"])

            // Used: refused the second time, and nothing changes.
            let again = try await patientBrowser.post("/r/" + token, form: [("csrf", csrf), ("action", "annuler")])
            #expect(again.status == .gone)
            #expect(again.body.string.contains("il ne sert qu&#39;une fois"))
        }
    }

    @Test func aLinkPastTheNoticeOrItsAppointmentCancelsNothing() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let (_, id, token) = try await Self.remindedByEmail(app, clock: clock)
            var browser = Browser(app)
            // Thursday 08:30: within the practice's 2 hours of notice.
            clock.advance(by: 47 * 3_600)
            let late = try await browser.get("/r/" + token)
            #expect(late.status == .ok && late.body.string.contains("trop tard pour le faire ici") && !late.body.string.contains("Annuler ce rendez-vous"))
            // No form on the page; a hand-made request with the visitor's token is refused all the same.
            let csrf = try #require(browser.cookies[CSRFProtection.preSessionCookie])
            let refused = try await browser.post("/r/" + token, form: [("csrf", csrf), ("action", "annuler")])
            #expect(refused.status == .conflict)
            #expect(try await AppointmentRecord.find(id, on: app.db)?.status == "booked")
            // Past the start: expired.
            clock.advance(by: 2 * 3_600)
            let expired = try await browser.get("/r/" + token)
            #expect(expired.status == .gone && expired.body.string.contains("Ce lien a expiré"))
            #expect(try await AppointmentLinkRecord.query(on: app.db).first()?.usedAt == nil)
        }
    }

    @Test func aMovedAppointmentWithdrawsItsReminderAndGetsOneForItsNewTime() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let (s, id, oldToken) = try await Self.remindedByEmail(app, clock: clock)
            clock.advance(by: 3_600)
            let moved = try await app.api(.POST, "\(s.base)/appointments/\(id)/move", token: s.token, json: #"{"start":"2026-11-26T11:00:00+01:00"}"#)
            #expect(moved.status == .ok, "\(moved.body.string)")
            #expect(try await Self.messages(app, kind: .reminder).map(\.state) == ["withdrawn"])
            #expect(try await Self.messages(app, kind: .moved).first?.body.contains("jeudi 26 novembre à 11 h") == true)
            // Thursday 11:00: its reminder, Wednesday 11:00, is within the day ahead of Tuesday 11:30.
            #expect(try await PatientReminders.queue(app: app, now: clock.now) == 1)
            let fresh = try #require(try await Self.messages(app, kind: .reminder).first { $0.state == "pending" })
            #expect(fresh.nextAttemptAt == ISOTimestamp.parse("2026-11-25T11:00:00+01:00"))
            var browser = Browser(app)
            let page = try await browser.get("/r/" + oldToken)
            #expect(page.status == .gone && page.body.string.contains("a changé depuis ce rappel"))
        }
    }

    @Test func aPassReadsOnlyWhatIsNewYetMissesNoBookingMadeAfterThePreviousOne() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            try await Self.turnOn(app, practice: s.world.practiceA, sms: false, email: true)
            let first = try await Self.consenting(app, practice: s.world.practiceA)
            _ = try await Self.book(app, s, patient: first, at: "2026-11-26T09:00:00+01:00")
            #expect(try await PatientReminders.queue(app: app, now: clock.now) == 1)
            // Booked after that pass, inside the window it already read: the next pass finds it all the same.
            clock.advance(by: 60)
            let second = try await Self.consenting(app, practice: s.world.practiceA, name: "Second", mobile: "+33644444444", email: "second@example.fr")
            _ = try await Self.book(app, s, patient: second, at: "2026-11-26T09:20:00+01:00")
            clock.advance(by: 60)
            #expect(try await PatientReminders.queue(app: app, now: clock.now) == 1)
            #expect(try await PatientReminders.queue(app: app, now: clock.now) == 0)
            #expect(try await Self.messages(app, kind: .reminder).map(\.recipient).sorted() == [Self.email, "second@example.fr"])
        }
    }

    /// Several instances on one database pass at the same moment: each appointment gets one reminder, one link.
    @Test func twoPassesAtOnceQueueEachReminderOnce() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            try await Self.turnOn(app, practice: s.world.practiceA, sms: false, email: true)
            for (n, time) in ["09:00", "09:20", "09:40", "10:00", "10:20"].enumerated() {
                let patient = try await Self.consenting(app, practice: s.world.practiceA, name: "Patient\(n)", mobile: "+3361111111\(n)",
                                                        email: "patient\(n)@example.fr")
                _ = try await Self.book(app, s, patient: patient, at: "2026-11-26T\(time):00+01:00")
            }
            clock.advance(by: 3_600)
            async let first = PatientReminders.queue(app: app, now: clock.now)
            async let second = PatientReminders.queue(app: app, now: clock.now)
            #expect(try await first + second == 5)
            let reminders = try await Self.messages(app, kind: .reminder)
            #expect(reminders.count == 5 && Set(reminders.compactMap(\.appointmentID)).count == 5)
            #expect(try await AppointmentLinkRecord.query(on: app.db).count() == 5, "one link each, none left unsent")
        }
    }

    @Test func aConsentWithdrawnAfterQueueingStopsTheMessage() async throws {
        let clock = TestClock()
        try await withTestApp(clock: clock) { app in
            let s = try await AppointmentsAPITests.setUp(app)
            try await Self.turnOn(app, practice: s.world.practiceA, sms: true, email: false)
            let patient = try await Self.consenting(app, practice: s.world.practiceA)
            _ = try await Self.book(app, s, patient: patient, at: "2026-11-26T10:00:00+01:00")
            let record = try #require(try await PatientRecord.find(patient, on: app.db))
            record.smsConsent = false
            try await record.update(on: app.db)
            #expect(try await Outbox.deliver(app: app, now: clock.now) == 0)
            let message = try #require(try await Self.messages(app).first)
            #expect(message.state == "withdrawn" && message.attempts == 0)
            #expect(Outbox.stateLabel(message) == "non envoyé : le patient a retiré son accord pour les SMS")
        }
    }

    // MARK: Settings

    @Test func theSettingsPageRefusesAWordingNamingTheMotifAndSavesNothing() async throws {
        try await withTestApp { app in
            let s = try await AppointmentsAPITests.setUp(app)
            var browser = Browser(app)
            _ = try await browser.signIn(s.world.supervisor)
            let path = "/cabinets/\(s.world.practiceA)/messages-patients"
            let page = try await browser.get(path)
            #expect(page.status == .ok, "\(page.body.string.suffix(2000))")
            #expect(page.body.string.contains("caractères") && page.body.string.contains("1 SMS"), "each SMS counted")
            let csrf = try #require(Browser.csrfToken(in: page.body.string))
            let refused = try await browser.post(path, form: [("csrf", csrf), ("sms", "1"), ("rappel24", "1"), ("delaiAnnulation", "24"),
                                                              ("modeles[confirmation_sms]", "RDV {motif} le {date} à {heure}"), ("action", "enregistrer")])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("donnée de santé"))
            #expect(try await PracticeMessagingRecord.query(on: app.db).count() == 0, "nothing saved")
            let saved = try await browser.post(path, form: [("csrf", csrf), ("sms", "1"), ("rappel24", "1"), ("delaiAnnulation", "24"),
                                                            ("modeles[confirmation_sms]", "{cabinet} : RDV le {date} à {heure}."), ("action", "enregistrer")])
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.body.string)")
            let settings = try #require(try await PracticeMessagingRecord.query(on: app.db).first())
            #expect(settings.sms && !settings.email && settings.reminder24h && !settings.reminder72h)
            #expect(settings.template(.confirmation, .sms) == "{cabinet} : RDV le {date} à {heure}.")
            #expect(settings.template(.reminder, .sms) == MessageTemplate.standard(.reminder, .sms))
        }
    }
}
