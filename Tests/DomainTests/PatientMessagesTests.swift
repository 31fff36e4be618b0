import Domain
import Foundation
import Testing

struct PatientMessagesTests {
    static let motifs = ["Consultation", "Vaccination", "Frottis de dépistage", "Renouvellement d'ordonnance", "IVG médicamenteuse"]
    static let strict = MessagePolicy(namesPractitioner: false, specialtySensitive: true, motifLabels: motifs)

    static let values: [MessageField: String] = [
        .date: "mercredi 30 septembre", .heure: "9 h 30", .cabinet: "Cabinet médical des Tilleuls", .adresse: "12 rue des Tilleuls, 57000 Metz",
        .telephone: "03 87 00 00 00", .specialite: "Gynécologie",
        // As long as a real one: the address, then 22 characters of token (128 bits).
        .lien: "https://permanence.centre.fr/r/" + String(repeating: "x", count: 22),
    ]

    // MARK: The no-health-data rule

    @Test(arguments: PatientMessageKind.allCases)
    func everyStandardWordingPassesTheStrictestPolicyAndNamesNoMotifOnceFilled(kind: PatientMessageKind) {
        for channel in MessageChannel.allCases {
            let template = MessageTemplate.standard(kind, channel)
            #expect(MessageTemplate.problems(template, kind: kind, channel: channel, policy: Self.strict).isEmpty, "\(kind) \(channel)")
            let text = MessageTemplate.render(template, values: Self.values)
            #expect(!text.contains("{") && !text.contains("}"), "every field filled: \(text)")
            for motif in Self.motifs { #expect(!text.localizedCaseInsensitiveContains(motif)) }
            // A sensitive specialty is never said, even when a value is at hand.
            #expect(!text.contains("Gynécologie"))
            #expect(text.contains("9 h 30") && text.contains("Cabinet médical des Tilleuls"))
            #expect(!kind.emailSubject.contains("{"))
        }
    }

    @Test func theStandardSMSFitInOneMessageOfTheGSMAlphabetOnceFilled() {
        for kind in PatientMessageKind.allCases {
            let measure = SMSText.measure(MessageTemplate.render(MessageTemplate.standard(kind, .sms), values: Self.values))
            #expect(measure.gsm7, "\(kind)")
            #expect(measure.messages == 1, "\(kind): \(measure.units) units")
        }
    }

    @Test(arguments: ["{motif}", "{Motif}", "{ motif }", "{motif_rdv}", "{reason}"])
    func aTemplateNamingTheMotifIsRefusedAsHealthData(field: String) {
        let problems = MessageTemplate.problems("Votre RDV \(field) le {date}", kind: .confirmation, channel: .sms, policy: Self.strict)
        #expect(problems.count == 1)
        #expect(problems[0].contains("donnée de santé"))
    }

    @Test func aTemplateSpellingAMotifOutIsRefusedToo() {
        let problems = MessageTemplate.problems("Votre vaccination le {date} à {heure}", kind: .confirmation, channel: .sms, policy: Self.strict)
        #expect(problems == ["Le message nomme le motif « Vaccination » : c'est une donnée de santé, elle n'y figure pas."])
        #expect(MessageTemplate.problems("Rendez-vous le {date} à {heure}", kind: .confirmation, channel: .sms, policy: Self.strict).isEmpty)
    }

    @Test func anUnknownFieldIsNamedWithTheListOfThePossibleOnes() {
        let problems = MessageTemplate.problems("Bonjour {prenom}, RDV le {date}", kind: .confirmation, channel: .email, policy: Self.strict)
        #expect(problems.count == 1)
        #expect(problems[0].hasPrefix("{prenom} n'existe pas"))
        #expect(problems[0].contains("{date}") && problems[0].contains("{lien}"))
    }

    @Test func thePractitionerAndTheSpecialtyFollowThePracticesChoice() {
        let named = MessagePolicy(namesPractitioner: true, specialtySensitive: false, motifLabels: [])
        let template = "RDV avec {praticien} ({specialite}) le {date}"
        #expect(MessageTemplate.problems(template, kind: .confirmation, channel: .sms, policy: named).isEmpty)
        let problems = MessageTemplate.problems(template, kind: .confirmation, channel: .sms, policy: Self.strict)
        #expect(problems.count == 2)
        #expect(problems.contains { $0.hasPrefix("{praticien}") } && problems.contains { $0.hasPrefix("{specialite}") })
    }

    @Test func aReminderCarriesItsLinkAndOnlyAReminderDoes() {
        #expect(MessageTemplate.problems("Rappel : RDV le {date}", kind: .reminder, channel: .sms, policy: Self.strict)
            == ["Un rappel porte le lien d'annulation : ajoutez {lien}."])
        #expect(MessageTemplate.problems("RDV le {date} {lien}", kind: .confirmation, channel: .sms, policy: Self.strict)
            == ["{lien} : le lien d'annulation n'accompagne que les rappels."])
    }

    @Test func anEmptyOrUnclosedOrOverlongTemplateIsRefused() {
        #expect(MessageTemplate.problems("  ", kind: .offer, channel: .sms, policy: Self.strict) == ["Le message est vide."])
        #expect(MessageTemplate.problems("RDV le {date", kind: .offer, channel: .sms, policy: Self.strict) == ["Une accolade « { » n'est pas refermée."])
        #expect(MessageTemplate.problems(String(repeating: "a", count: 1_001), kind: .offer, channel: .email, policy: Self.strict)
            == ["Le message dépasse 1000 caractères."])
    }

    @Test func renderingLeavesOutAFieldWithoutValue() {
        #expect(MessageTemplate.render("RDV {praticien}le {date}", values: [.date: "lundi 7 décembre"]) == "RDV le lundi 7 décembre")
    }

    // MARK: SMS length

    @Test func theGSMAlphabetCountsOneAndItsExtensionTwo() {
        #expect(SMSText.measure(String(repeating: "é", count: 160)) == .init(units: 160, gsm7: true, messages: 1))
        #expect(SMSText.measure(String(repeating: "a", count: 161)) == .init(units: 161, gsm7: true, messages: 2))
        #expect(SMSText.measure(String(repeating: "€", count: 80)) == .init(units: 160, gsm7: true, messages: 1))
        #expect(SMSText.measure(String(repeating: "a", count: 307)) == .init(units: 307, gsm7: true, messages: 3))
    }

    @Test func frenchLettersOutsideTheAlphabetAreFoldedAndOtherCharactersCountAsUnicode() {
        #expect(SMSText.folded("Empêché ? Œuvre « ça »") == "Empeché ? OEuvre \" ca \"")
        #expect(SMSText.measure("Empêché").gsm7)
        let emoji = SMSText.measure("RDV demain 🙂")
        #expect(!emoji.gsm7 && emoji.limit == 70 && emoji.units == 13)
        #expect(SMSText.measure(String(repeating: "Ж", count: 71)).messages == 2)
    }

    // MARK: Quiet hours

    static let paris = TimeZone(identifier: "Europe/Paris")!

    static func at(_ year: Int, _ month: Int, _ day: Int, _ hour: Int, _ minute: Int = 0) -> Date {
        WallClock.resolve(LocalDate(year: year, month: month, day: day), minutes: hour * 60 + minute, in: paris, ambiguity: .earlier).instant
    }

    @Test func anSMSPlannedInTheDayLeavesAtItsTime() {
        let planned = Self.at(2026, 12, 8, 9, 30) // a Tuesday
        #expect(QuietHours.smsTime(planned: planned, now: Self.at(2026, 12, 7, 10), deadline: Self.at(2026, 12, 9, 9, 30), in: Self.paris) == planned)
    }

    @Test func anSMSPlannedInTheNightOrOnSundayLeavesTheEveningBefore() {
        // Tuesday 07:00 → Monday 19:00; Tuesday 21:00 → Tuesday 19:00; Sunday 10:00 and Monday 07:30 → Saturday 19:00.
        let now = Self.at(2026, 12, 4, 12) // a Friday
        #expect(QuietHours.smsTime(planned: Self.at(2026, 12, 8, 7), now: now, deadline: Self.at(2026, 12, 9, 7), in: Self.paris) == Self.at(2026, 12, 7, 19))
        #expect(QuietHours.smsTime(planned: Self.at(2026, 12, 8, 21), now: now, deadline: Self.at(2026, 12, 9, 21), in: Self.paris) == Self.at(2026, 12, 8, 19))
        #expect(QuietHours.smsTime(planned: Self.at(2026, 12, 6, 10), now: now, deadline: Self.at(2026, 12, 7, 10), in: Self.paris) == Self.at(2026, 12, 5, 19))
        #expect(QuietHours.smsTime(planned: Self.at(2026, 12, 7, 7, 30), now: now, deadline: Self.at(2026, 12, 8, 7, 30), in: Self.paris) == Self.at(2026, 12, 5, 19))
    }

    @Test func whenTheEveningBeforeIsPastTheSMSWaitsForTheMorningIfTheAppointmentIsLater() {
        // Saturday 21:00, a reminder planned Sunday 09:00 for Monday 09:00: Saturday 19:00 is past, Monday 08:00 comes first.
        let now = Self.at(2026, 12, 5, 21)
        #expect(QuietHours.smsTime(planned: Self.at(2026, 12, 6, 9), now: now, deadline: Self.at(2026, 12, 7, 9), in: Self.paris) == Self.at(2026, 12, 7, 8))
        // For an appointment at 07:30 on Monday, no moment is left: nothing is sent.
        #expect(QuietHours.smsTime(planned: Self.at(2026, 12, 6, 7, 30), now: now, deadline: Self.at(2026, 12, 7, 7, 30), in: Self.paris) == nil)
        // A confirmation booked at 22:00 on a Wednesday leaves at 08:00 on Thursday.
        let late = Self.at(2026, 12, 9, 22)
        #expect(QuietHours.smsTime(planned: late, now: late, deadline: Self.at(2026, 12, 20, 9), in: Self.paris) == Self.at(2026, 12, 10, 8))
    }

    // MARK: Figures

    @Test func theNoShowRateIsCountedApartWithAndWithoutAReminder() {
        let (with, without) = PatientMessageFigures.attendance([
            (noShow: false, reminded: true), (noShow: true, reminded: true), (noShow: false, reminded: true), (noShow: false, reminded: true),
            (noShow: true, reminded: false), (noShow: false, reminded: false),
        ])
        #expect(with == .init(appointments: 4, noShows: 1) && with.noShowRate == 0.25)
        #expect(without == .init(appointments: 2, noShows: 1) && without.noShowRate == 0.5)
        #expect(PatientMessageFigures.attendance([]).with.noShowRate == nil)
    }
}
