import Foundation

/// Why a patient is written to. The raw values are stored with each message.
public enum PatientMessageKind: String, CaseIterable, Codable, Sendable {
    case confirmation, moved, cancelled, reminder, offer

    public var label: String {
        switch self {
        case .confirmation: "Confirmation"
        case .moved: "Déplacement"
        case .cancelled: "Annulation"
        case .reminder: "Rappel"
        case .offer: "Créneau libéré (liste d'attente)"
        }
    }

    /// The e-mail's subject: fixed, and as free of health data as the body.
    public var emailSubject: String {
        switch self {
        case .confirmation: "Votre rendez-vous est confirmé"
        case .moved: "Votre rendez-vous a changé d'horaire"
        case .cancelled: "Votre rendez-vous est annulé"
        case .reminder: "Rappel de votre rendez-vous"
        case .offer: "Un créneau s'est libéré"
        }
    }
}

/// How a patient is written to: each needs the patient's own consent.
public enum MessageChannel: String, CaseIterable, Codable, Sendable {
    case sms, email

    public var label: String { self == .sms ? "SMS" : "e-mail" }
}

/// What a template may name, written `{date}` in it. The motif is not one of them, and never will be: the reason for a
/// visit is health data (and so is a specialty the practice marks sensitive).
public enum MessageField: String, CaseIterable, Sendable {
    case date, heure, cabinet, adresse, telephone, praticien, specialite, lien

    public var label: String {
        switch self {
        case .date: "la date (« mardi 24 novembre »)"
        case .heure: "l'heure (« 9 h 30 »)"
        case .cabinet: "le nom du cabinet"
        case .adresse: "l'adresse du cabinet"
        case .telephone: "le numéro du cabinet"
        case .praticien: "le nom du praticien (si le cabinet l'autorise)"
        case .specialite: "la spécialité du cabinet (sauf si elle est marquée sensible)"
        case .lien: "le lien d'annulation (rappels seulement)"
        }
    }
}

/// What a practice lets its messages say beyond the date, time and place.
public struct MessagePolicy: Sendable, Equatable {
    public var namesPractitioner: Bool
    public var specialtySensitive: Bool
    /// The practice's motifs, by label: a template that spells one out is refused like one that names `{motif}`.
    public var motifLabels: [String]

    public init(namesPractitioner: Bool, specialtySensitive: Bool, motifLabels: [String]) {
        self.namesPractitioner = namesPractitioner
        self.specialtySensitive = specialtySensitive
        self.motifLabels = motifLabels
    }
}

/// A practice's wording of one message, with its `{fields}`.
public enum MessageTemplate {
    /// The longest template a practice may write.
    public static let maximumLength = 1_000

    /// Why this wording cannot be saved; empty when it can.
    public static func problems(_ text: String, kind: PatientMessageKind, channel: MessageChannel, policy: MessagePolicy) -> [String] {
        var problems: [String] = []
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { problems.append("Le message est vide.") }
        if text.count > maximumLength { problems.append("Le message dépasse \(maximumLength) caractères.") }
        let (fields, unclosed) = placeholders(in: text)
        if unclosed { problems.append("Une accolade « { » n'est pas refermée.") }
        for name in fields {
            let folded = fold(name)
            if folded == "motif" || folded.hasPrefix("motif") || folded == "reason" {
                problems.append("{\(name)} : le motif du rendez-vous est une donnée de santé, il ne figure jamais dans un message au patient.")
                continue
            }
            guard let field = MessageField(rawValue: folded) else {
                problems.append("{\(name)} n'existe pas : les champs possibles sont " + MessageField.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ") + ".")
                continue
            }
            switch field {
            case .praticien where !policy.namesPractitioner:
                problems.append("{praticien} : le cabinet ne permet pas de nommer le praticien dans les messages.")
            case .specialite where policy.specialtySensitive:
                problems.append("{specialite} : la spécialité du cabinet est marquée sensible, elle ne figure pas dans les messages.")
            case .lien where kind != .reminder:
                problems.append("{lien} : le lien d'annulation n'accompagne que les rappels.")
            default: break
            }
        }
        let foldedText = fold(text)
        for label in policy.motifLabels {
            let foldedLabel = fold(label).trimmingCharacters(in: .whitespaces)
            if foldedLabel.count >= 4, foldedText.contains(foldedLabel) {
                problems.append("Le message nomme le motif « \(label) » : c'est une donnée de santé, elle n'y figure pas.")
            }
        }
        if kind == .reminder, !fields.contains(where: { fold($0) == MessageField.lien.rawValue }) {
            problems.append("Un rappel porte le lien d'annulation : ajoutez {lien}.")
        }
        return problems
    }

    /// The message with its fields filled. A field without a value (the practitioner a practice does not name) is left
    /// out; the text around it stays.
    public static func render(_ text: String, values: [MessageField: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else { result += rest[open...]; return result }
            let name = fold(String(rest[rest.index(after: open)..<close]))
            if let field = MessageField(rawValue: name) { result += values[field] ?? "" }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// The `{names}` of a text, and whether a brace stays open.
    static func placeholders(in text: String) -> (names: [String], unclosed: Bool) {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return (names, true) }
            names.append(String(rest[rest.index(after: open)..<close]).trimmingCharacters(in: .whitespaces))
            rest = rest[rest.index(after: close)...]
        }
        return (names, false)
    }

    /// Lowercased, without accents: « Spécialité » and « specialite » are the same field.
    static func fold(_ text: String) -> String {
        // The usual case, a field written as documented, needs no work.
        if text.utf8.allSatisfy({ $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") || $0 == UInt8(ascii: "_") }) { return text }
        return text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "fr_FR")).lowercased()
    }

    /// What every practice starts with: the date, the time and the place, never why.
    public static func standard(_ kind: PatientMessageKind, _ channel: MessageChannel) -> String {
        switch (kind, channel) {
        case (.confirmation, .sms):
            "{cabinet} : votre RDV est confirmé le {date} à {heure}, {adresse}. Empêché ? Appelez le {telephone}."
        case (.moved, .sms):
            "{cabinet} : votre RDV est déplacé au {date} à {heure}, {adresse}. Empêché ? Appelez le {telephone}."
        case (.cancelled, .sms):
            "{cabinet} : votre RDV du {date} à {heure} est annulé. Pour en reprendre un : {telephone}."
        case (.reminder, .sms):
            "{cabinet} : rappel de votre RDV le {date} à {heure}. Annuler : {lien}"
        case (.offer, .sms):
            "{cabinet} : un RDV s'est libéré le {date} à {heure}. Pour le prendre, appelez le {telephone}."
        case (.confirmation, .email):
            "Bonjour,\n\nVotre rendez-vous au {cabinet} est confirmé le {date} à {heure}.\nAdresse : {adresse}\n\nEn cas d'empêchement, merci de prévenir le cabinet au {telephone}.\n\n{cabinet}"
        case (.moved, .email):
            "Bonjour,\n\nVotre rendez-vous au {cabinet} a changé d'horaire : il aura lieu le {date} à {heure}.\nAdresse : {adresse}\n\nEn cas d'empêchement, merci de prévenir le cabinet au {telephone}.\n\n{cabinet}"
        case (.cancelled, .email):
            "Bonjour,\n\nVotre rendez-vous au {cabinet} du {date} à {heure} est annulé.\nPour en reprendre un, appelez le {telephone}.\n\n{cabinet}"
        case (.reminder, .email):
            "Bonjour,\n\nNous vous rappelons votre rendez-vous au {cabinet} le {date} à {heure}.\nAdresse : {adresse}\n\nSi vous ne pouvez pas venir, annulez-le ici, le créneau servira à un autre patient :\n{lien}\n\n{cabinet}"
        case (.offer, .email):
            "Bonjour,\n\nUn rendez-vous s'est libéré au {cabinet} le {date} à {heure}.\nPour le prendre, appelez le cabinet au {telephone} : il sera proposé au premier qui appelle.\n\n{cabinet}"
        }
    }
}

/// An SMS's length as the network counts it: 160 characters of the GSM 03.38 alphabet per message (153 each when
/// split), 70 (67) as soon as one character falls outside it.
public enum SMSText {
    /// The GSM 03.38 default alphabet (one unit each).
    static let basic: Set<Character> = Set("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    /// Its extension table (two units each: an escape, then the character).
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{0C}")
    /// French letters outside the alphabet and their nearest inside it, so that an accent never halves an SMS.
    static let substitutes: [Character: String] = [
        "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "ÿ": "y", "ç": "c",
        "À": "A", "Â": "A", "È": "E", "Ê": "E", "Ë": "E", "Î": "I", "Ï": "I", "Ô": "O", "Ù": "U", "Û": "U",
        "œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "«": "\"", "»": "\"", "“": "\"", "”": "\"", "–": "-", "—": "-",
        "\u{00A0}": " ", "\u{202F}": " ", "…": "...",
    ]

    /// The text as it is sent: French letters the alphabet lacks replaced by their nearest.
    public static func folded(_ text: String) -> String {
        var result = ""
        for character in text { result += substitutes[character] ?? String(character) }
        return result
    }

    public struct Measure: Equatable, Sendable {
        /// Units counted (an extension character counts two; outside the alphabet, each character counts one of 70).
        public let units: Int
        public let gsm7: Bool
        public let messages: Int
        public var limit: Int { gsm7 ? 160 : 70 }

        public init(units: Int, gsm7: Bool, messages: Int) {
            self.units = units
            self.gsm7 = gsm7
            self.messages = messages
        }
    }

    /// How many units and messages `text` takes once folded.
    public static func measure(_ text: String) -> Measure {
        let text = folded(text)
        var units = 0
        var gsm7 = true
        for character in text {
            if basic.contains(character) { units += 1 } else if extended.contains(character) { units += 2 } else { gsm7 = false; break }
        }
        if !gsm7 { units = text.unicodeScalars.reduce(0) { $0 + ($1.value > 0xFFFF ? 2 : 1) } }
        let single = gsm7 ? 160 : 70, part = gsm7 ? 153 : 67
        let messages = units <= single ? 1 : (units + part - 1) / part
        return Measure(units: units, gsm7: gsm7, messages: messages)
    }
}

/// No SMS between 20:00 and 08:00 nor on Sundays (the patient's evening and day off): a message planned then leaves
/// before instead, at 19:00 of the last allowed day, or, when that moment is past, at the next allowed one if it still
/// comes before the appointment.
public enum QuietHours {
    public static let opens = 8 * 60, closes = 20 * 60
    /// Where a message moved before the quiet hours is sent: an hour before they start.
    public static let movedTo = 19 * 60

    public static func allows(_ instant: Date, in zone: TimeZone) -> Bool {
        let day = LocalDate(instant, in: zone)
        let minutes = WallClock.minutes(of: instant, in: zone)
        return day.isoWeekday != 7 && minutes >= opens && minutes < closes
    }

    /// When an SMS planned at `planned` leaves; nil when no allowed moment comes between now and `deadline`.
    public static func smsTime(planned: Date, now: Date, deadline: Date, in zone: TimeZone) -> Date? {
        let planned = max(planned, now)
        if allows(planned, in: zone) { return planned < deadline ? planned : nil }
        // Before: 19:00 of the last allowed day at or before the planned one.
        var day = LocalDate(planned, in: zone)
        if WallClock.minutes(of: planned, in: zone) < movedTo || day.isoWeekday == 7 { day = day.adding(days: -1) }
        while day.isoWeekday == 7 { day = day.adding(days: -1) }
        let before = WallClock.resolve(day, minutes: movedTo, in: zone, ambiguity: .earlier).instant
        if before >= now, before < planned { return before }
        // After: the next opening, if the appointment has not begun by then.
        var next = LocalDate(planned, in: zone)
        if WallClock.minutes(of: planned, in: zone) >= opens { next = next.adding(days: 1) }
        while next.isoWeekday == 7 { next = next.adding(days: 1) }
        let after = WallClock.resolve(next, minutes: opens, in: zone, ambiguity: .earlier).instant
        return after < deadline ? after : nil
    }
}
