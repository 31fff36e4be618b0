import Foundation
import Leaf
import Vapor

/// Every page and form of the site, one case each: the routes are registered from it (`routes.get(.call, use:)`) and
/// the links are built from it, in Swift (`SitePath.call.link(practice.id, call.id)`) and in the page templates
/// (`#site("call", practiceID, call.id)`). The raw value is the route's pattern; its parameters are filled in order.
enum SitePath: String, CaseIterable, Sendable {
    // Signing in and out, the console, the live events.
    case home = ""
    case signIn = "connexion"
    case signInCode = "connexion/code"
    case signOut = "deconnexion"
    case events = "evenements"
    case search = "recherche"
    case ringing = "appels/entrants"
    case takeRinging = "appels/entrants/:eventID/prendre"
    case queue = "file"
    case claim = "file/prendre"
    case release = "file/liberer"
    case handover = "releve"
    case handoverRead = "releve/:noteID/lu"
    case inbox = "messagerie"
    case portal = "portail"
    case calendarFeed = "portail/agenda-telephone"
    case calendarFeedRevoke = "portail/agenda-telephone/revoquer"
    case auditJournal = "journal-audit"
    case auditExport = "journal-audit/export.csv"
    // One's account, the accounts, the center.
    case account = "mon-compte"
    case accountPassword = "mon-compte/mot-de-passe"
    case accountSessionRevoke = "mon-compte/sessions/:sessionID/revoquer"
    case secondFactor = "mon-compte/double-authentification"
    case secondFactorCodes = "mon-compte/double-authentification/codes-de-secours"
    case secondFactorRemove = "mon-compte/double-authentification/retirer"
    case users = "admin/utilisateurs"
    case user = "admin/utilisateurs/:userID"
    case userDisable = "admin/utilisateurs/:userID/desactiver"
    case userEnable = "admin/utilisateurs/:userID/reactiver"
    case userUnlock = "admin/utilisateurs/:userID/deverrouiller"
    case userReset = "admin/utilisateurs/:userID/reinitialiser"
    case userSessionRevoke = "admin/utilisateurs/:userID/sessions/:sessionID/revoquer"
    case userSecondFactorRemove = "admin/utilisateurs/:userID/double-authentification/retirer"
    case centerSecondFactor = "admin/centre/double-authentification"
    case centerWebhooks = "admin/centre/webhooks"
    case centerWebhook = "admin/centre/webhooks/:subscriptionID"
    case centerWebhookTest = "admin/centre/webhooks/:subscriptionID/essai"
    case centerWebhookSecret = "admin/centre/webhooks/:subscriptionID/secret"
    case centerWebhookDisable = "admin/centre/webhooks/:subscriptionID/desactiver"
    // A practice: its page, its setting-up.
    case newPractice = "cabinets/nouveau"
    case practice = "cabinets/:practiceID"
    case settings = "cabinets/:practiceID/parametres"
    case suspend = "cabinets/:practiceID/suspendre"
    case reopen = "cabinets/:practiceID/rouvrir"
    case service = "cabinets/:practiceID/mise-en-service"
    case patientMessaging = "cabinets/:practiceID/messages-patients"
    /// A reminder's cancellation link, opened by the patient without signing in.
    case patientLink = "r/:token"
    case practitioners = "cabinets/:practiceID/praticiens"
    case newPractitioner = "cabinets/:practiceID/praticiens/nouveau"
    case practitionerContact = "cabinets/:practiceID/praticiens/:practitionerID/joindre"
    case practitionerDisable = "cabinets/:practiceID/praticiens/:practitionerID/desactiver"
    case practitionerEnable = "cabinets/:practiceID/praticiens/:practitionerID/reactiver"
    case connections = "cabinets/:practiceID/connexions"
    case connectionTokens = "cabinets/:practiceID/connexions/jetons"
    case connectionTokenRevoke = "cabinets/:practiceID/connexions/jetons/:tokenID/revoquer"
    case webhooks = "cabinets/:practiceID/connexions/webhooks"
    case webhook = "cabinets/:practiceID/connexions/webhooks/:subscriptionID"
    case webhookTest = "cabinets/:practiceID/connexions/webhooks/:subscriptionID/essai"
    case webhookSecret = "cabinets/:practiceID/connexions/webhooks/:subscriptionID/secret"
    case webhookDisable = "cabinets/:practiceID/connexions/webhooks/:subscriptionID/desactiver"
    case agendaImport = "cabinets/:practiceID/reprise-agenda"
    case agendaImportRun = "cabinets/:practiceID/reprise-agenda/importer"
    case playbook = "cabinets/:practiceID/fiche"
    case playbookEdit = "cabinets/:practiceID/fiche/modifier"
    case playbookVersion = "cabinets/:practiceID/fiche/versions/:version"
    case protocolEdit = "cabinets/:practiceID/protocole/modifier"
    case protocolReviewed = "cabinets/:practiceID/protocole/relu"
    // The agenda.
    case agenda = "cabinets/:practiceID/agenda"
    case agendaDay = "cabinets/:practiceID/agenda/jour"
    case agendaWeek = "cabinets/:practiceID/agenda/semaine"
    case agendaList = "cabinets/:practiceID/agenda/liste"
    case hours = "cabinets/:practiceID/agenda/horaires"
    case exceptions = "cabinets/:practiceID/agenda/exceptions"
    case exceptionDelete = "cabinets/:practiceID/agenda/exceptions/:exceptionID/supprimer"
    case motifs = "cabinets/:practiceID/agenda/motifs"
    case motifDelete = "cabinets/:practiceID/agenda/motifs/:motifID/supprimer"
    case motifArchive = "cabinets/:practiceID/agenda/motifs/:motifID/archiver"
    case motifReactivate = "cabinets/:practiceID/agenda/motifs/:motifID/reactiver"
    case urgentRules = "cabinets/:practiceID/agenda/urgences"
    case urgentRuleDelete = "cabinets/:practiceID/agenda/urgences/:ruleID/supprimer"
    // Calls.
    case calls = "cabinets/:practiceID/appels"
    case call = "cabinets/:practiceID/appels/:callID"
    case callCorrection = "cabinets/:practiceID/appels/:callID/correction"
    case callSupervisor = "cabinets/:practiceID/appels/:callID/renfort"
    case callAnxious = "cabinets/:practiceID/appels/:callID/anxieux"
    // Appointments and the waiting list.
    case newAppointment = "cabinets/:practiceID/rendez-vous/nouveau"
    case hold = "cabinets/:practiceID/rendez-vous/retenir"
    case forcedBooking = "cabinets/:practiceID/rendez-vous/derogation"
    case held = "cabinets/:practiceID/rendez-vous/retenu/:holdID"
    case heldConfirm = "cabinets/:practiceID/rendez-vous/retenu/:holdID/confirmer"
    case heldRelease = "cabinets/:practiceID/rendez-vous/retenu/:holdID/relacher"
    case appointment = "cabinets/:practiceID/rendez-vous/:appointmentID"
    case appointmentMove = "cabinets/:practiceID/rendez-vous/:appointmentID/deplacer"
    case appointmentCancel = "cabinets/:practiceID/rendez-vous/:appointmentID/annuler"
    case appointmentStatus = "cabinets/:practiceID/rendez-vous/:appointmentID/statut"
    case waitingList = "cabinets/:practiceID/liste-attente"
    case waitingListClose = "cabinets/:practiceID/liste-attente/:entryID/cloturer"
    // Patients.
    case patients = "cabinets/:practiceID/patients"
    case newPatient = "cabinets/:practiceID/patients/nouveau"
    case merges = "cabinets/:practiceID/patients/fusions"
    case patient = "cabinets/:practiceID/patients/:patientID"
    case patientEdit = "cabinets/:practiceID/patients/:patientID/modifier"
    case patientFile = "cabinets/:practiceID/patients/:patientID/dossier"
    case patientFileJSON = "cabinets/:practiceID/patients/:patientID/dossier.json"
    case patientErase = "cabinets/:practiceID/patients/:patientID/effacer"
    case patientMerge = "cabinets/:practiceID/patients/:patientID/fusionner"
    case patientSeries = "cabinets/:practiceID/patients/:patientID/serie"
    case patientWaitingList = "cabinets/:practiceID/patients/:patientID/liste-attente"
    case patientImport = "cabinets/:practiceID/patients/import"
    case patientImportReport = "cabinets/:practiceID/patients/import/:importID"
    case patientImportCheck = "cabinets/:practiceID/patients/import/:importID/verifier"
    case patientImportRun = "cabinets/:practiceID/patients/import/:importID/importer"
    // Transmissions, tasks, triage.
    case transmissions = "cabinets/:practiceID/transmissions"
    case newTransmission = "cabinets/:practiceID/transmissions/nouvelle"
    case transmission = "cabinets/:practiceID/transmissions/:transmissionID"
    case transmissionAcknowledge = "cabinets/:practiceID/transmissions/:transmissionID/accuser"
    case transmissionAnswer = "cabinets/:practiceID/transmissions/:transmissionID/repondre"
    case tasks = "cabinets/:practiceID/taches"
    case newTask = "cabinets/:practiceID/taches/nouvelle"
    case task = "cabinets/:practiceID/taches/:taskID"
    case taskClose = "cabinets/:practiceID/taches/:taskID/cloturer"
    case triage = "cabinets/:practiceID/urgence"
    case evaluation = "cabinets/:practiceID/urgence/:evaluationID"
    // The figures.
    case statistics = "statistiques"
    case board = "plateau"
    case monthlyReport = "cabinets/:practiceID/rapports/:month"
    case monthlyReportCSV = "cabinets/:practiceID/rapports/:month/csv"

    /// The route's pattern, its parameters named as the handlers read them.
    var pattern: [PathComponent] { rawValue.isEmpty ? [] : rawValue.pathComponents }

    /// How many values a link needs.
    var parameterCount: Int { rawValue.split(separator: "/").filter { $0.hasPrefix(":") }.count }

    /// The link to the page, its parameters given in order (a UUID, a number…), with the query `query` when not empty.
    func link(_ values: any CustomStringConvertible..., query: String = "") -> String { link(values: values, query: query) }

    func link(values: [any CustomStringConvertible], query: String = "") -> String {
        precondition(values.count == parameterCount, "\(self) takes \(parameterCount) values, not \(values.count)")
        var remaining = values.makeIterator()
        let path = rawValue.split(separator: "/").map { $0.hasPrefix(":") ? Self.escaped(remaining.next()!.description) : String($0) }
        return "/" + path.joined(separator: "/") + (query.isEmpty ? "" : "?" + query)
    }

    /// A link's value kept inside its path segment.
    private static func escaped(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? value
    }

    /// The case named `name` in a template ("call", "patientEdit"…).
    static let named: [String: SitePath] = Dictionary(uniqueKeysWithValues: allCases.map { (String(describing: $0), $0) })
}

extension RoutesBuilder {
    @discardableResult
    func get<Response: AsyncResponseEncodable>(_ path: SitePath, use closure: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(.GET, path.pattern, use: closure)
    }

    @discardableResult
    func post<Response: AsyncResponseEncodable>(_ path: SitePath, use closure: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(.POST, path.pattern, use: closure)
    }

    @discardableResult
    func on<Response: AsyncResponseEncodable>(_ method: HTTPMethod, _ path: SitePath, body: HTTPBodyStreamStrategy,
                                              use closure: @Sendable @escaping (Request) async throws -> Response) -> Route {
        on(method, path.pattern, body: body, use: closure)
    }
}

/// `#site("call", practiceID, call.id)`: the link to a page of the site, built by `SitePath`. A name that is not a
/// case, or the wrong number of values, is an error of the template, raised when the page is made.
struct SiteTag: UnsafeUnescapedLeafTag {
    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string, let path = SitePath.named[name] else {
            throw Abort(.internalServerError, reason: "#site: the first value names a page of SitePath (\(ctx.parameters.first?.string ?? "nothing"))")
        }
        let values = ctx.parameters.dropFirst().map { $0.string ?? "" }
        guard values.count == path.parameterCount, !values.contains(where: \.isEmpty) else {
            throw Abort(.internalServerError, reason: "#site(\"\(name)\"): \(path.parameterCount) values wanted, not empty, \(values.count) given")
        }
        return .string(HTML.escaped(path.link(values: values)))
    }
}
