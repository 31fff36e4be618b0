import Domain
import Foundation

/// FHIR R4 (4.0.1) resources as Permanence writes them: only the elements it fills, nil elements left out of the JSON.
enum FHIR {
    static let version = "4.0.1"
    static let mediaType = HTTPMediaTypeText.fhirJSON
    static let rppsSystem = "urn:oid:1.2.250.1.71.4.2.1"
    static let insSystem = "urn:oid:1.2.250.1.213.1.4.8"
    /// Permanence's own code systems: the practices' motifs and the transmissions' priorities are theirs.
    static let motifSystem = "urn:permanence:motif"

    struct Meta: Codable { var lastUpdated: String? }
    struct Coding: Codable { var system: String?; var code: String?; var display: String? }
    struct CodeableConcept: Codable { var coding: [Coding]?; var text: String? }
    struct Identifier: Codable { var use: String?; var type: CodeableConcept?; var system: String?; var value: String? }
    struct Reference: Codable { var reference: String?; var display: String? }
    struct HumanName: Codable { var use: String?; var text: String?; var family: String?; var given: [String]?; var prefix: [String]? }
    struct ContactPoint: Codable { var system: String?; var value: String?; var use: String?; var rank: Int? }
    struct Address: Codable { var use: String?; var text: String? }
    struct Period: Codable { var start: String?; var end: String? }

    struct Organization: Codable {
        var resourceType = "Organization"
        var id: String
        var active: Bool
        var type: [CodeableConcept]?
        var name: String
        var telecom: [ContactPoint]?
        var address: [Address]?
    }

    struct Practitioner: Codable {
        var resourceType = "Practitioner"
        var id: String
        var identifier: [Identifier]?
        var active: Bool
        var name: [HumanName]
    }

    struct PractitionerRole: Codable {
        var resourceType = "PractitionerRole"
        var id: String
        var active: Bool
        var practitioner: Reference
        var organization: Reference
        var code: [CodeableConcept]?
    }

    struct PatientLink: Codable { var other: Reference; var type: String }

    struct Patient: Codable {
        var resourceType = "Patient"
        var id: String
        var meta: Meta?
        var identifier: [Identifier]?
        var active: Bool
        var name: [HumanName]
        var telecom: [ContactPoint]?
        var gender: String
        var birthDate: String
        var managingOrganization: Reference
        var link: [PatientLink]?
    }

    struct Schedule: Codable {
        var resourceType = "Schedule"
        var id: String
        var active: Bool
        var serviceType: [CodeableConcept]?
        var actor: [Reference]
        var comment: String?
    }

    struct Slot: Codable {
        var resourceType = "Slot"
        var id: String
        var serviceType: [CodeableConcept]?
        var schedule: Reference
        var status: String
        var start: String
        var end: String
    }

    struct Participant: Codable { var actor: Reference?; var required: String?; var status: String }

    struct Appointment: Codable {
        var resourceType = "Appointment"
        var id: String?
        var meta: Meta?
        var status: String
        var cancelationReason: CodeableConcept?
        var serviceType: [CodeableConcept]?
        var description: String?
        var start: String?
        var end: String?
        var minutesDuration: Int?
        var created: String?
        var slot: [Reference]?
        var comment: String?
        var participant: [Participant]

        /// The `Slot/…` a booking takes, if it names one.
        var slotReference: String? { slot?.first?.reference }
    }

    struct Payload: Codable { var contentString: String }

    struct Communication: Codable {
        var resourceType = "Communication"
        var id: String
        var meta: Meta?
        var status: String
        var category: [CodeableConcept]?
        var priority: String
        var subject: Reference?
        var topic: CodeableConcept?
        var sent: String
        var received: String?
        var recipient: [Reference]
        var sender: Reference?
        var payload: [Payload]?
    }

    struct Issue: Codable { var severity: String; var code: String; var diagnostics: String; var expression: [String]? }

    struct OperationOutcome: Codable {
        var resourceType = "OperationOutcome"
        var issue: [Issue]
    }

    struct BundleLink: Codable { var relation: String; var url: String }
    struct BundleSearch: Codable { var mode: String }
    struct BundleEntry<Resource: Encodable>: Encodable { var fullUrl: String; var resource: Resource; var search: BundleSearch }

    struct Bundle<Resource: Encodable>: Encodable {
        var resourceType = "Bundle"
        var id: String
        var meta: Meta
        var type = "searchset"
        var total: Int
        var link: [BundleLink]
        var entry: [BundleEntry<Resource>]?
    }
}

/// The media types of the interoperability routes.
enum HTTPMediaTypeText {
    static let fhirJSON = "application/fhir+json; charset=utf-8"
    static let calendar = "text/calendar; charset=utf-8"
}
