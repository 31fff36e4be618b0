import Crypto
import Domain
import Fluent
import Foundation
import Vapor

/// A call event as it was received.
final class TelephonyEventRecord: Model, @unchecked Sendable {
    static let schema = "telephony_events"

    @ID(key: .id) var id: UUID?
    @Parent(key: "center_id") var center: CenterRecord
    @Field(key: "provider_call_id") var providerCallID: String
    @Field(key: "kind") var kind: String
    @Field(key: "caller_number") var callerNumber: String
    @Field(key: "dialled_number") var dialledNumber: String
    @OptionalField(key: "extension") var extensionNumber: String?
    @Parent(key: "practice_id") var practice: PracticeRecord
    @OptionalField(key: "call_id") var callID: UUID?
    @OptionalField(key: "taken_by_label") var takenByLabel: String?
    @Field(key: "received_at") var receivedAt: Date

    init() {}
}

/// The body the phone system posts.
struct TelephonyEventInput: Content {
    /// ringing, answered, transferred, ended.
    var event: String?
    /// The phone system's id of the call, the same for all its events.
    var callId: String?
    var from: String?
    var to: String?
    /// The extension the call rings on (or was answered, or transferred to).
    var `extension`: String?
}

/// Call events from the center's phone system: checked (signature, freshness, replay, a known dialled number), kept,
/// and turned into a screen pop on the consoles of the extension's secretaries (or of the practice's).
enum TelephonyStore {
    static let timestampHeader = "X-Permanence-Timestamp"
    static let signatureHeader = "X-Permanence-Signature"

    /// The center's secret, made on first use.
    static func secret(app: Application, rotate: Bool = false) async throws -> (center: UUID, secret: String) {
        guard let center = try await CenterRecord.query(on: app.db).first() else { throw AppError.notFound(what: "Centre") }
        if let secret = center.telephonySecret, !rotate { return (center.id!, secret) }
        center.telephonySecret = SecretToken.generate(prefix: "tel_")
        try await app.writer.transaction(on: app.db, actor: .system("telephony")) { tx, journal in
            try await center.update(on: tx)
            try await journal.record(.update, entity: "center", entityID: center.id!.uuidString, practiceID: nil,
                                     after: ["telephonySecret": rotate ? "renouvelé" : "créé"])
        }
        return (center.id!, center.telephonySecret!)
    }

    /// `sha256=` and the hex HMAC-SHA256 of "timestamp.body" under the secret.
    static func signature(secret: String, timestamp: Int, body: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: TelephonyEventRules.signedContent(timestamp: timestamp, body: body),
                                                   using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + Data(code).hex
    }

    /// Refuses an unsigned, badly signed or stale request before its body is even read as JSON.
    static func verify(headers: HTTPHeaders, body: [UInt8], secret: String, now: Date) throws {
        guard let stamp = headers.first(name: timestampHeader), let timestamp = Int(stamp), let given = headers.first(name: signatureHeader) else {
            throw AppError.unauthenticatedBecause(TelephonyEventRules.Refusal.unsigned.reason)
        }
        guard SecretToken.constantTimeEquals(given, signature(secret: secret, timestamp: timestamp, body: body)) else {
            throw AppError.unauthenticatedBecause(TelephonyEventRules.Refusal.badSignature.reason)
        }
        guard TelephonyEventRules.isFresh(timestamp: timestamp, now: now) else {
            throw AppError.unauthenticatedBecause(TelephonyEventRules.Refusal.stale.reason)
        }
    }

    /// Keeps a checked event and says who must see it; 404 for a dialled number no practice has, 409 for a replay.
    static func receive(_ input: TelephonyEventInput, center: UUID, app: Application, now: Date) async throws -> TelephonyEventRecord {
        var problems: [FieldError] = []
        let kind = input.event.flatMap(TelephonyEventKind.init(rawValue:))
        if kind == nil { problems.append(FieldError(field: "event", reason: "ringing, answered, transferred ou ended")) }
        let providerCallID = (input.callId ?? "").trimmed
        if providerCallID.isEmpty || providerCallID.count > 200 { problems.append(FieldError(field: "callId", reason: "identifiant de l'appel obligatoire (200 caractères au plus)")) }
        var caller = "", dialled = ""
        do { caller = try CallStore.callerNumber(input.from, field: "from") } catch let AppError.validation(errors) { problems += errors }
        do { dialled = try CallStore.callerNumber(input.to, field: "to") } catch let AppError.validation(errors) { problems += errors }
        if dialled.isEmpty && problems.allSatisfy({ $0.field != "to" }) { problems.append(FieldError(field: "to", reason: "numéro appelé obligatoire")) }
        let phoneExtension = input.extension?.trimmed.nilIfEmpty
        if let phoneExtension, phoneExtension.count > 20 { problems.append(FieldError(field: "extension", reason: "20 caractères au plus")) }
        guard problems.isEmpty, let kind else { throw AppError.validation(problems) }
        guard let practice = try await PracticeSetupStore.practice(dialled: dialled, on: app.db) else {
            throw AppError.notFound(what: "Numéro appelé")
        }
        let event = TelephonyEventRecord()
        event.id = UUID()
        event.$center.id = center
        event.providerCallID = providerCallID
        event.kind = kind.rawValue
        event.callerNumber = caller
        event.dialledNumber = dialled
        event.extensionNumber = phoneExtension
        event.$practice.id = practice.id!
        event.receivedAt = now
        do {
            try await app.writer.unjournaled(on: app.db) { db in
                try await event.create(on: db)
                try await FigureRollups.refresh(telephonyCalls: [providerCallID], on: db)
            }
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw AppError.conflict(TelephonyEventRules.Refusal.replayed.reason)
        }
        if kind != .ringing {
            // The call's later events close its pop everywhere.
            let ringing = try await TelephonyEventRecord.query(on: app.db).filter(\.$providerCallID == providerCallID).filter(\.$kind == "ringing").first()
            if let ringing, ringing.takenByLabel == nil, kind == .ended {
                ringing.takenByLabel = "—"
                try await app.writer.unjournaled(on: app.db) { db in try await ringing.update(on: db) }
            }
        }
        await app.liveHub.publish(LiveEvent(kind: .ringing, practiceID: practice.id, users: try await targets(extension: phoneExtension, on: app.db)))
        return event
    }

    /// The ringing call taken by the secretary named `label` (her e-mail: unique, so that two colleagues of the same name
    /// cannot both win): the first one wins, the others are told who did.
    static func take(_ id: UUID, by label: String, context: WriteContext) async throws -> TelephonyEventRecord {
        try await context.writer.unjournaled(on: context.database) { db in
            try await TelephonyEventRecord.query(on: db).filter(\.$id == id).filter(\.$takenByLabel == nil).set(\.$takenByLabel, to: label).update()
        }
        let fresh = try await TelephonyEventRecord.find(id, on: context.database)
        guard let fresh, fresh.takenByLabel == label else {
            let by = fresh?.takenByLabel.flatMap { $0 == "—" ? nil : $0 }
            throw AppError.conflict(by.map { "appel déjà pris par \($0)" } ?? "appel terminé ou déjà pris")
        }
        return fresh
    }

    /// The taken call's journal entry, named on its ringing event; the pop closes on every console of the practice.
    static func attach(_ event: TelephonyEventRecord, to call: CallRecord, in practice: AuthorizedPractice, context: WriteContext) async throws {
        event.callID = call.id
        try await context.writer.unjournaled(on: context.database) { db in try await event.update(on: db) }
        await context.publish(.ringing, practice: practice.id)
    }

    /// The users whose extension it is; nil (every console of the practice) when nobody has it.
    static func targets(extension phoneExtension: String?, on db: any Database) async throws -> Set<UUID>? {
        guard let phoneExtension else { return nil }
        let users = try await UserRecord.query(on: db).filter(\.$telephonyExtension == phoneExtension).filter(\.$disabled == false).all()
        return users.isEmpty ? nil : Set(users.compactMap(\.id))
    }
}
