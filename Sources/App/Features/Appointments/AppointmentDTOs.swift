import Domain
import Foundation
import Vapor

/// An explicit decision to book outside the rules, with why.
struct OverrideInput: Content {
    let reason: String
}

struct HoldInput: Content {
    let practitionerId: UUID
    let motifId: UUID
    let start: String
    let patientId: UUID?
    let urgent: Bool?
    /// How long the hold lasts, 1–30 minutes; 5 by default.
    let minutes: Int?
}

struct BookingInput: Content {
    let patientId: UUID
    let practitionerId: UUID
    let motifId: UUID
    let start: String
    let source: String?
    let notes: String?
    /// 1–5 when the booking follows a triage.
    let urgencyLevel: Int?
    /// The hold this booking confirms.
    let holdId: UUID?
    let override: OverrideInput?
    /// The call the booking was made in: linked from its journal entry.
    var callId: UUID? = nil
}

struct MoveInput: Content {
    let start: String
    let practitionerId: UUID?
    let override: OverrideInput?
    /// `this` (default) or `following`: for a series, this occurrence and every later one move by the same step.
    let scope: String?
    /// The call the move is made in: the appointment is linked from it.
    var callId: UUID? = nil
}

struct CancelInput: Content {
    /// `patient` or `practice`.
    let party: String
    let reason: String
    /// `this` (default) or `following`.
    let scope: String?
    /// The call the cancellation is made in: the appointment is linked from it.
    var callId: UUID? = nil
}

struct StatusInput: Content {
    let status: String
    /// Required to undo a status (back to booked, or from fulfilled back to arrived), which is allowed the same day.
    var reason: String? = nil
}

struct SeriesInput: Content {
    let patientId: UUID
    let practitionerId: UUID
    let motifId: UUID
    let firstStart: String
    let count: Int
    let intervalWeeks: Int?
    let source: String?
    let notes: String?
}

struct WaitingListInput: Content {
    let patientId: UUID
    let motifId: UUID
    let practitionerIds: [UUID]?
    let from: String
    let until: String
    /// `high`, `normal` (default) or `low`.
    let priority: String?
    let notes: String?
}

struct HoldDTO: Content {
    let id: UUID
    let practitionerId: UUID
    let motifId: UUID
    let patientId: UUID?
    let start: String
    let end: String
    let expiresAt: String
    let state: String
}

struct AppointmentDTO: Content {
    struct Cancellation: Content { let party: String; let reason: String }
    let id: UUID
    let practitionerId: UUID
    let patientId: UUID
    let motifId: UUID?
    let motifLabel: String
    let start: String
    let end: String
    let status: String
    let statusLabel: String
    let source: String?
    let notes: String?
    let urgencyLevel: Int?
    let overrideReason: String?
    let cancellation: Cancellation?
    let seriesId: UUID?

    init(_ record: AppointmentRecord, zone: TimeZone) {
        id = record.id!
        practitionerId = record.$practitioner.id
        patientId = record.$patient.id
        motifId = record.motifID
        motifLabel = record.reason
        start = ISOTimestamp.string(record.startsAt, in: zone)
        end = ISOTimestamp.string(record.endsAt, in: zone)
        status = record.status
        statusLabel = record.statusValue.label
        source = record.source
        notes = record.notes
        urgencyLevel = record.urgencyLevel
        overrideReason = record.overrideReason
        cancellation = record.cancellationParty.map { Cancellation(party: $0, reason: record.cancellationReason ?? "") }
        seriesId = record.seriesID
    }
}

/// A booking, move or cancellation, with the sentence read back to the patient.
struct AppointmentResult: Content {
    let appointment: AppointmentDTO
    /// Other occurrences changed with it (a series moved or cancelled from this one on).
    let alsoChanged: [AppointmentDTO]
    let readBack: String
}

struct AppointmentDetailDTO: Content {
    struct Change: Content {
        let at: String
        let by: String
        let action: String
        let before: String?
        let after: String?
    }
    let appointment: AppointmentDTO
    let history: [Change]
}

struct PatientAppointmentsDTO: Content {
    let appointments: [AppointmentDTO]
    /// No-shows in the last twelve months.
    let recentNoShows: Int
}

struct SeriesResult: Content {
    struct Failure: Content {
        let start: String
        let reasons: [String]
        let alternatives: [String]
    }
    let seriesId: UUID
    let booked: [AppointmentDTO]
    let failed: [Failure]
    let readBack: String
}

struct WaitingListEntryDTO: Content {
    let id: UUID
    let patientId: UUID
    let motifId: UUID
    let practitionerIds: [UUID]
    let from: String
    let until: String
    let priority: String
    let notes: String
    let state: String
    let matchedStart: String?
    let matchedPractitionerId: UUID?
    let createdAt: String

    init(_ record: WaitingListEntryRecord, zone: TimeZone) {
        id = record.id!
        patientId = record.patientID
        motifId = record.motifID
        practitionerIds = CommaList.uuids(record.practitionerIDs)
        from = ISOTimestamp.string(record.windowStart, in: zone)
        until = ISOTimestamp.string(record.windowEnd, in: zone)
        priority = (WaitingPriority(rawValue: record.priority) ?? .normal).apiName
        notes = record.notes
        state = record.state
        matchedStart = record.matchedStart.map { ISOTimestamp.string($0, in: zone) }
        matchedPractitionerId = record.matchedPractitionerID
        createdAt = ISOTimestamp.string(record.createdAt, in: zone)
    }
}

extension WaitingPriority {
    var apiName: String {
        switch self {
        case .high: "high"
        case .normal: "normal"
        case .low: "low"
        }
    }

    init?(apiName: String) {
        guard let match = Self.allCases.first(where: { $0.apiName == apiName }) else { return nil }
        self = match
    }
}

/// What the journal keeps of an appointment, before and after each change.
struct AppointmentSnapshot: Codable, Sendable {
    /// An appointment's journal entry (its `before` or `after`) read back; nil when there is none or it is not one.
    init?(journal json: String?) {
        guard let json, let snapshot = try? Journal.decoder.decode(AppointmentSnapshot.self, from: Data(json.utf8)) else { return nil }
        self = snapshot
    }

    let start: Date
    let end: Date
    let practitionerId: UUID
    let patientId: UUID
    let motifId: UUID?
    let status: String
    let source: String?
    let notes: String?
    let urgencyLevel: Int?
    let overrideReason: String?
    /// The rules the override set aside.
    let overridden: [String]?
    let cancellationParty: String?
    let cancellationReason: String?
    let seriesId: UUID?

    init(_ record: AppointmentRecord, overridden: [BookingRuleBreach] = []) {
        start = record.startsAt
        end = record.endsAt
        practitionerId = record.$practitioner.id
        patientId = record.$patient.id
        motifId = record.motifID
        status = record.status
        source = record.source
        notes = record.notes
        urgencyLevel = record.urgencyLevel
        overrideReason = record.overrideReason
        self.overridden = overridden.isEmpty ? nil : overridden.map(\.code)
        cancellationParty = record.cancellationParty
        cancellationReason = record.cancellationReason
        seriesId = record.seriesID
    }
}
