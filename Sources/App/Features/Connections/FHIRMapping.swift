import Domain
import Foundation

/// Permanence's records as FHIR resources: what each may say, and nothing more.
extension FHIR {
    static func instant(_ date: Date, _ zone: TimeZone) -> String { ISOTimestamp.string(date, in: zone) }

    static func organization(_ practice: PracticeRecord) -> Organization {
        Organization(id: practice.id!.uuidString, active: practice.suspendedAt == nil,
                     type: [CodeableConcept(coding: [Coding(system: "http://terminology.hl7.org/CodeSystem/organization-type", code: "prov",
                                                            display: "Healthcare Provider")], text: practice.kind)],
                     name: practice.name, telecom: [ContactPoint(system: "phone", value: practice.phone, use: "work")],
                     address: practice.address.isEmpty ? nil : [Address(use: "work", text: practice.address)])
    }

    static func practitioner(_ record: PractitionerRecord) -> Practitioner {
        Practitioner(id: record.id!.uuidString,
                     identifier: record.rpps.map { [Identifier(use: "official", system: rppsSystem, value: $0)] },
                     active: record.deactivatedAt == nil,
                     name: [HumanName(use: "official", text: record.displayName, family: record.lastName, given: [record.firstName],
                                      prefix: record.title.isEmpty ? nil : [record.title])])
    }

    /// A practitioner's role in their practice: the same id as the practitioner.
    static func practitionerRole(_ record: PractitionerRecord) -> PractitionerRole {
        PractitionerRole(id: record.id!.uuidString, active: record.deactivatedAt == nil,
                         practitioner: Reference(reference: "Practitioner/\(record.id!.uuidString)", display: record.displayName),
                         organization: Reference(reference: "Organization/\(record.$practice.id.uuidString)"),
                         code: record.profession.isEmpty ? nil : [CodeableConcept(text: record.profession)])
    }

    /// A practitioner's agenda: the same id as the practitioner.
    static func schedule(_ record: PractitionerRecord, motifs: [Motif]) -> Schedule {
        Schedule(id: record.id!.uuidString, active: record.deactivatedAt == nil,
                 serviceType: motifs.isEmpty ? nil : motifs.map(serviceType),
                 actor: [Reference(reference: "Practitioner/\(record.id!.uuidString)", display: record.displayName)],
                 comment: "Agenda tenu par le télésecrétariat")
    }

    static func serviceType(_ motif: Motif) -> CodeableConcept {
        CodeableConcept(coding: [Coding(system: motifSystem, code: motif.id.uuidString, display: motif.label)], text: motif.label)
    }

    /// `<practitioner>-<start in seconds since 1970>`: a free slot is computed, not stored; its id says where it is.
    static func slotID(_ slot: Domain.Slot) -> String { slotID(practitioner: slot.practitionerID.uuidString, start: slot.start) }

    /// The same, the practitioner's identifier already written (a bundle writes it once for all its slots).
    static func slotID(practitioner: String, start: Date) -> String { practitioner + "-" + String(Int(start.timeIntervalSince1970)) }

    static func parseSlotID(_ text: String) -> (practitioner: UUID, start: Date)? {
        guard let dash = text.lastIndex(of: "-"), let practitioner = UUID(fastString: String(text[..<dash])),
              let seconds = Int(text[text.index(after: dash)...]) else { return nil }
        return (practitioner, Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func slot(_ slot: Domain.Slot, motif: Motif, zone: TimeZone) -> Slot {
        Slot(id: slotID(slot), serviceType: [serviceType(motif)], schedule: Reference(reference: "Schedule/\(slot.practitionerID.uuidString)"),
             status: "free", start: instant(slot.start, zone), end: instant(slot.end, zone))
    }

    /// The patient's identity as the practice's software may reuse it: the INS only when the identity is qualified
    /// (the only status that allows sharing it), the strict traits, the numbers and e-mail to reach them.
    static func patient(_ record: PatientRecord, phones: [PatientPhoneRecord]) -> Patient {
        var names = [HumanName(use: "official", text: record.displayName, family: record.birthName,
                               given: record.firstNames.split(separator: " ").map(String.init))]
        if let used = record.usedName, !used.isEmpty {
            names.append(HumanName(use: "usual", family: used, given: record.firstNames.split(separator: " ").prefix(1).map(String.init)))
        }
        var telecom = phones.sorted { $0.position < $1.position }.enumerated().map { index, phone in
            ContactPoint(system: "phone", value: phone.e164, use: phone.label == "portable" ? "mobile" : phone.label == "travail" ? "work" : "home",
                         rank: index + 1)
        }
        if let email = record.email, !email.isEmpty { telecom.append(ContactPoint(system: "email", value: email, use: "home")) }
        var identifier: [Identifier]?
        if record.identityStatus == IdentityStatus.qualifiee.rawValue, let nir = record.insNIR {
            identifier = [Identifier(use: "official",
                                     type: CodeableConcept(coding: [Coding(system: "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203",
                                                                           code: "INS-NIR", display: "NIR définitif")]),
                                     system: insSystem, value: nir)]
        }
        let zone = FrenchFormat.parisTimeZone
        return Patient(id: record.id!.uuidString, meta: Meta(lastUpdated: instant(record.updatedAt ?? record.createdAt ?? Date(), zone)),
                       identifier: identifier, active: record.mergedIntoID == nil, name: names, telecom: telecom.isEmpty ? nil : telecom,
                       gender: record.sex == "F" ? "female" : record.sex == "M" ? "male" : "other", birthDate: record.birthDate,
                       managingOrganization: Reference(reference: "Organization/\(record.$practice.id.uuidString)"),
                       link: record.mergedIntoID.map { [PatientLink(other: Reference(reference: "Patient/\($0.uuidString)"), type: "replaced-by")] })
    }

    static func appointment(_ record: AppointmentRecord, zone: TimeZone) -> Appointment {
        var cancellation: CodeableConcept?
        if record.statusValue == .cancelled {
            let byPatient = record.cancellationParty == "patient"
            cancellation = CodeableConcept(coding: [Coding(system: "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason",
                                                           code: byPatient ? "pat" : "prov", display: byPatient ? "Patient" : "Provider")],
                                           text: byPatient ? "Annulé par le patient" : "Annulé par le cabinet")
        }
        return Appointment(
            id: record.id!.uuidString, meta: Meta(lastUpdated: instant(record.updatedAt ?? record.createdAt ?? record.startsAt, zone)),
            status: record.status, cancelationReason: cancellation,
            serviceType: [CodeableConcept(coding: record.motifID.map { [Coding(system: motifSystem, code: $0.uuidString, display: record.reason)] },
                                          text: record.reason)],
            description: record.reason, start: instant(record.startsAt, zone), end: instant(record.endsAt, zone),
            minutesDuration: Int(record.endsAt.timeIntervalSince(record.startsAt) / 60), created: record.createdAt.map { instant($0, zone) },
            slot: nil, comment: nil,
            participant: [
                Participant(actor: Reference(reference: "Patient/\(record.$patient.id.uuidString)"), required: "required", status: "accepted"),
                Participant(actor: Reference(reference: "Practitioner/\(record.$practitioner.id.uuidString)"), required: "required", status: "accepted"),
            ])
    }

    /// A transmission: who, when, how urgent and whether it was taken into account; its subject and text only for a
    /// reader allowed them.
    static func communication(_ record: TransmissionRecord, readsMessages: Bool, zone: TimeZone) -> Communication {
        let changed = [record.sentAt, record.readAt, record.acknowledgedAt, record.answeredAt].compactMap { $0 }.max() ?? record.sentAt
        var payload: [Payload]?
        if readsMessages {
            payload = [Payload(contentString: record.message)]
            if let answer = record.answer, !answer.isEmpty { payload!.append(Payload(contentString: "Réponse du praticien : " + answer)) }
        }
        return Communication(
            id: record.id!.uuidString, meta: Meta(lastUpdated: instant(changed, zone)),
            status: record.state.awaitsPractitioner ? "in-progress" : "completed",
            category: [CodeableConcept(coding: [Coding(system: "urn:permanence:communication", code: "transmission", display: "Transmission du secrétariat")])],
            priority: record.priority == .urgent ? "urgent" : "routine",
            subject: record.patientID.map { Reference(reference: "Patient/\($0.uuidString)") },
            topic: readsMessages ? CodeableConcept(text: record.subject) : nil,
            sent: instant(record.sentAt, zone), received: record.acknowledgedAt.map { instant($0, zone) },
            recipient: [Reference(reference: "Practitioner/\(record.practitionerID.uuidString)")],
            sender: Reference(reference: "Organization/\(record.$practice.id.uuidString)", display: "Télésecrétariat du cabinet"),
            payload: payload)
    }
}
