import Foundation

/// French dates and times as they are said to a patient: "mardi 1er décembre", "14 h 30", "9 h".
public enum FrenchSpeech {
    static let weekdays = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
    static let months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
                         "novembre", "décembre"]

    /// "mardi 1er décembre", with the year when it is not the year of `reference`.
    public static func date(_ date: LocalDate, reference: LocalDate? = nil) -> String {
        let day = date.day == 1 ? "1er" : String(date.day)
        var text = "\(weekdays[date.isoWeekday - 1]) \(day) \(months[date.month - 1])"
        if let reference, reference.year != date.year { text += " \(date.year)" }
        return text
    }

    /// "14 h 30"; "9 h" on the hour.
    public static func time(minutes: Int) -> String {
        let hour = minutes / 60, minute = minutes % 60
        return minute == 0 ? "\(hour) h" : "\(hour) h " + (minute < 10 ? "0\(minute)" : String(minute))
    }

    /// "mardi 1er décembre à 14 h 30", in `zone`.
    public static func moment(_ instant: Date, in zone: TimeZone, reference: Date? = nil) -> String {
        let local = LocalDate(instant, in: zone)
        return date(local, reference: reference.map { LocalDate($0, in: zone) }) + " à " + time(minutes: WallClock.minutes(of: instant, in: zone))
    }

    /// "le Dr Martin", "Mme Leroy": how a practitioner is named in a sentence.
    public static func practitioner(title: String, lastName: String) -> String {
        let title = title.trimmingCharacters(in: .whitespaces)
        if title.isEmpty { return lastName }
        return ["Dr", "Pr", "docteur", "professeur"].contains(title) ? "le \(title) \(lastName)" : "\(title) \(lastName)"
    }
}

/// What the secretary reads back to the patient after a booking, a move or a cancellation (DOMAIN.md: "Je récapitule").
public struct ReadBack: Equatable, Sendable {
    /// What the sentence needs to know of one appointment.
    public struct Appointment: Equatable, Sendable {
        public var start: Date
        /// "le Dr Martin".
        public var practitioner: String
        public var motifLabel: String
        public var patientInstructions: String
        public var address: String

        public init(start: Date, practitioner: String, motifLabel: String, patientInstructions: String = "", address: String = "") {
            self.start = start
            self.practitioner = practitioner
            self.motifLabel = motifLabel
            self.patientInstructions = patientInstructions
            self.address = address
        }
    }

    public let text: String

    private static func sentence(_ parts: [String]) -> String {
        parts.filter { !$0.isEmpty }.joined(separator: " ")
    }

    private static func instructions(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return "" }
        return trimmed.hasSuffix(".") || trimmed.hasSuffix("!") ? trimmed : trimmed + "."
    }

    private static func place(_ address: String) -> String {
        address.isEmpty ? "" : ", au \(address)"
    }

    public static func booking(_ a: Appointment, zone: TimeZone, now: Date) -> ReadBack {
        ReadBack(text: sentence([
            "Je récapitule : rendez-vous le \(FrenchSpeech.moment(a.start, in: zone, reference: now)) avec \(a.practitioner), pour « \(a.motifLabel) »\(place(a.address)).",
            instructions(a.patientInstructions),
        ]))
    }

    public static func move(from old: Date, to a: Appointment, zone: TimeZone, now: Date) -> ReadBack {
        ReadBack(text: sentence([
            "Je récapitule : votre rendez-vous du \(FrenchSpeech.moment(old, in: zone, reference: now)) est déplacé au \(FrenchSpeech.moment(a.start, in: zone, reference: now)) avec \(a.practitioner), pour « \(a.motifLabel) »\(place(a.address)).",
            instructions(a.patientInstructions),
        ]))
    }

    public static func cancellation(_ a: Appointment, zone: TimeZone, now: Date) -> ReadBack {
        ReadBack(text: "Je récapitule : votre rendez-vous du \(FrenchSpeech.moment(a.start, in: zone, reference: now)) avec \(a.practitioner), pour « \(a.motifLabel) », est annulé.")
    }

    /// Several appointments booked at once (a series): the dates said one after the other.
    public static func series(_ booked: [Appointment], zone: TimeZone, now: Date) -> ReadBack {
        guard let first = booked.first else { return ReadBack(text: "Aucune séance n'a pu être réservée.") }
        let moments = booked.map { FrenchSpeech.moment($0.start, in: zone, reference: now) }
        let list = moments.count == 1 ? moments[0] : moments.dropLast().joined(separator: ", ") + " et " + moments.last!
        return ReadBack(text: sentence([
            "Je récapitule : \(booked.count) rendez-vous avec \(first.practitioner), pour « \(first.motifLabel) »\(place(first.address)) : le \(list).",
            instructions(first.patientInstructions),
        ]))
    }
}
