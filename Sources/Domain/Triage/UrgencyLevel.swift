import Foundation

/// The five urgency levels of the center (after the SFMU FRENCH scale and the SAMU call-taker priorities): a priority
/// and an orientation, never a diagnosis. 1 is the most urgent.
public enum UrgencyLevel: Int, CaseIterable, Codable, Sendable {
    case vital = 1
    case immediateAdvice = 2
    case sameDay = 3
    case within48Hours = 4
    case routine = 5

    /// The name shown everywhere beside the level's number and colour.
    public var name: String {
        switch self {
        case .vital: "Urgence vitale"
        case .immediateAdvice: "Avis médical immédiat"
        case .sameDay: "Consultation dans la journée"
        case .within48Hours: "Consultation sous 48 h"
        case .routine: "Rendez-vous programmé"
        }
    }

    /// "Niveau 2 — Avis médical immédiat": colour never carries the meaning alone.
    public var label: String { "Niveau \(rawValue) — \(name)" }

    public var orientation: TriageOrientation {
        switch self {
        case .vital: .samu
        case .immediateAdvice: .practitionerNow
        case .sameDay: .sameDaySlot
        case .within48Hours: .within48Hours
        case .routine: .routineBooking
        }
    }

    /// Whether this level asks for quicker action than `other`.
    public func isMoreUrgent(than other: UrgencyLevel) -> Bool { rawValue < other.rawValue }

    /// The more urgent of two levels: a level may be raised by any criterion, never lowered by one.
    public static func mostUrgent(_ a: UrgencyLevel, _ b: UrgencyLevel) -> UrgencyLevel { a.isMoreUrgent(than: b) ? a : b }

    /// The level that doubt on a question gives: the question's own level, but a doubt on a red flag is not a red flag
    /// (the caller could not say) and still needs a practitioner's opinion at once.
    public var whenInDoubt: UrgencyLevel { self == .vital ? .immediateAdvice : self }
}

/// Where the call goes once its level is known.
public enum TriageOrientation: String, Codable, Sendable, CaseIterable {
    /// The caller must reach the SAMU now (15, or 112; 114 by SMS for deaf callers).
    case samu
    /// The call is transferred to the practitioner now; if unreachable, an urgent transmission.
    case practitionerNow
    /// A reserved urgent slot today, or the first slot of the day; none left: treated as a practitioner's opinion now.
    case sameDaySlot
    /// The first slot within 48 hours, otherwise a transmission.
    case within48Hours
    /// An ordinary booking.
    case routineBooking
    /// An ingestion or exposure without signs: the regional poison centre now, and a consultation the same day.
    case poisonCentre

    public var label: String {
        switch self {
        case .samu: "Appeler le 15 (SAMU) maintenant"
        case .practitionerNow: "Passer l'appel au praticien maintenant"
        case .sameDaySlot: "Créneau d'urgence aujourd'hui"
        case .within48Hours: "Rendez-vous sous 48 heures"
        case .routineBooking: "Rendez-vous habituel"
        case .poisonCentre: "Centre antipoison maintenant, puis consultation dans la journée"
        }
    }

    /// What the secretary does, in order.
    public var steps: [String] {
        switch self {
        case .samu:
            ["Demander d'appeler le 15 immédiatement (ou le 112 ; le 114 par SMS pour une personne sourde ou malentendante).",
             "Transférer l'appel au 15 si la téléphonie le permet et rester en ligne jusqu'à ce que ce soit fait.",
             "Informer le praticien ensuite par une transmission."]
        case .practitionerNow:
            ["Transférer l'appel au praticien maintenant.",
             "S'il ne répond pas : transmission urgente, relancée jusqu'à ce qu'il en accuse réception.",
             "Si personne ne répond à temps : revenir au conseil d'appeler le 15."]
        case .sameDaySlot:
            ["Proposer un créneau d'urgence réservé aujourd'hui (ou le premier créneau du jour).",
             "Aucun créneau aujourd'hui : passer l'appel au praticien (niveau 2)."]
        case .within48Hours:
            ["Proposer le premier créneau dans les 48 heures.",
             "Aucun créneau dans les 48 heures, ou un problème de santé qu'aucun critère ne décrit : transmission au praticien."]
        case .routineBooking:
            ["Proposer un rendez-vous selon les consignes du cabinet."]
        case .poisonCentre:
            ["Donner le numéro du centre antipoison de la région et ses conseils d'attente (rien à boire, ne pas faire vomir, garder l'emballage).",
             "Proposer un créneau d'urgence aujourd'hui ; aucun : passer l'appel au praticien (niveau 2).",
             "Des signes apparaissent (malaise, somnolence, gêne pour respirer) : le 15."]
        }
    }
}
