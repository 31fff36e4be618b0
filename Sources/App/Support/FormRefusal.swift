import Domain
import Foundation
import Leaf
import Vapor

/// One fault of a refused form: said at its field (`#fault`, `#invalid`) and in the list above the form (`#refusal`).
struct FormFault: Encodable, Equatable {
    /// The field as the application names it ("start", "phones[0].number"): what a template names to place the fault;
    /// nil for a fault of the form as a whole (a slot taken meanwhile).
    let field: String?
    /// What is wrong, in plain French.
    let message: String
    /// The fault as the list above the form says it: "Heure : hors des horaires du praticien".
    let text: String
    /// The id of the sentence at the field, which the field names in `aria-describedby`.
    let anchor: String?

    /// `labels` names the fields the way the form does where it differs from the common names ("start" is "Début" on
    /// an opening range, "Heure" on a booking).
    init(field: String?, message: String, labels: [String: String] = [:]) {
        self.field = field
        let said = FormRefusal.plainFrench(message)
        let sentence = said.prefix(1).uppercased() + said.dropFirst()
        self.message = sentence
        let label = field.flatMap { FormRefusal.label($0, labels) }
        self.text = label.map { "\($0) : \(said)" } ?? sentence
        self.anchor = field.map(FormRefusal.anchor)
    }
}

/// How every form refuses: the write runs; a refusal that is the form's (a field, a conflict, a slot taken) shows the form
/// again with each fault at its field, the status of the refusal, and nothing written. Other errors (not found,
/// forbidden, expired form) go to the error page.
enum FormRefusal {
    static func run(_ req: Request, back: ([FormFault]) async throws -> View, _ write: () async throws -> Response) async throws -> Response {
        do {
            return try await write()
        } catch let error as AppError {
            guard let faults = faults(error) else { throw error }
            return try await redisplay(req, status: error.status, back(faults))
        }
    }

    /// A form shown again with the status of its refusal.
    static func redisplay(_ req: Request, status: HTTPResponseStatus, _ view: View) async throws -> Response {
        let response = try await view.encodeResponse(for: req)
        response.status = status
        return response
    }

    /// The faults a refusal shows on a form; nil for errors that are not the form's (not found, forbidden…).
    static func faults(_ error: AppError, labels: [String: String] = [:]) -> [FormFault]? {
        switch error {
        case .validation(let errors): return faults(errors, labels: labels)
        case .conflict(let message): return [FormFault(field: nil, message: message)]
        case .motifInUse: return [FormFault(field: nil, message: error.detail)]
        case .slotTaken(let conflict):
            let zone = FrenchFormat.parisTimeZone
            let what = conflict.kind == "hold" ? "un créneau retenu par un(e) collègue" : "un autre rendez-vous"
            return [FormFault(field: nil, message: "Ce créneau est déjà pris par \(what) (\(FrenchFormat.shortDate(conflict.start, in: zone)) de "
                              + "\(FrenchFormat.spokenTime(conflict.start, in: zone)) à \(FrenchFormat.spokenTime(conflict.end, in: zone))) : proposez un autre créneau.")]
        default: return nil
        }
    }

    /// The faults of a form that checks its own fields before any write.
    static func faults(_ errors: [FieldError], labels: [String: String] = [:]) -> [FormFault] {
        errors.map { FormFault(field: $0.field, message: $0.reason, labels: labels) }
    }

    /// The id of the sentence said at a field: "erreur-phones-0-number".
    static func anchor(_ field: String) -> String {
        "erreur-" + field.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined().split(separator: "-").joined(separator: "-")
    }

    /// The field's name in French, for the list above the form, from the form's own names first, then the common ones;
    /// nil for a field without one (its fault is then said alone, never with the application's name of the field).
    /// Numbered fields keep their rank: "ranges[1].start" → "Début de la plage n° 2"; a part without a name of its own
    /// takes its whole's ("sheet.faq[2].answer" → "Questions fréquentes", "numbers[1].number" → "Numéros appelés").
    static func label(_ field: String, _ own: [String: String] = [:]) -> String? {
        func named(_ key: String) -> String? { own[key] ?? labels[key] }
        var candidate = Substring(field)
        while !candidate.isEmpty {
            if let label = named(String(candidate)) { return label }
            let (generic, rank) = numbered(candidate)
            if let label = named(generic) { return rank.map { label.replacingOccurrences(of: "#", with: String($0)) } ?? label }
            guard let cut = candidate.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            candidate = candidate[..<cut]
        }
        return nil
    }

    /// "ranges[1].start" → ("ranges[].start", 2): the field with its numbers taken out, and the last one counted from 1.
    private static func numbered(_ field: Substring) -> (String, Int?) {
        var generic = "", rank: Int?
        var rest = field
        while let open = rest.firstIndex(of: "["), let close = rest[open...].firstIndex(of: "]") {
            generic += rest[..<open] + "[]"
            rank = Int(rest[rest.index(after: open)..<close]).map { $0 + 1 } ?? rank
            rest = rest[rest.index(after: close)...]
        }
        return (generic + rest, rank)
    }

    private static let labels: [String: String] = [
        "start": "Heure", "end": "Fin", "firstStart": "Première séance", "patientId": "Patient", "patient": "Patient", "practitionerId": "Praticien",
        "praticien": "Praticien", "motifId": "Motif", "motif": "Motif", "override.reason": "Raison de la dérogation",
        "holdId": "Créneau retenu", "callerName": "Nom de l'appelant", "ageMonths": "Âge", "age": "Âge", "party": "Annulé par", "reason": "Raison",
        "scope": "Portée", "status": "Statut", "count": "Nombre de séances", "intervalWeeks": "Intervalle", "from": "Du", "until": "Au",
        "to": "Au", "priority": "Priorité", "urgencyLevel": "Niveau d'urgence", "notes": "Notes", "date": "Date", "jour": "Jour", "source": "Origine",
        "practitionerIds": "Praticiens", "practitionerIds[]": "Praticien n° #", "birthName": "Nom de naissance", "firstNames": "Prénom(s)",
        "usedName": "Nom d'usage", "birthDate": "Date de naissance", "sex": "Sexe", "birthplaceCode": "Lieu de naissance", "nir": "INS",
        "identityStatus": "Statut de l'identité", "phones[].number": "Téléphone n° #", "phones[].label": "Type du téléphone n° #",
        "email": "E-mail", "address": "Adresse", "flags.interpreterLanguage": "Interprète", "into": "Dossier à conserver", "mode": "Action",
        "level": "Niveau retenu", "action": "Suite donnée", "answers": "Questions", "callerNumber": "Numéro de l'appelant", "reasons": "Motifs de l'appel",
        "outcome": "Issue de l'appel", "subject": "Objet", "message": "Message", "callbackNumber": "Numéro de rappel", "text": "Texte",
        "answer": "Réponse", "title": "Titre", "phone": "Téléphone", "dueAt": "Échéance", "details": "Détails", "expiresAt": "Valable jusqu'au",
        "practiceId": "Cabinet", "kind": "Type", "cabinet": "Cabinet", "item": "Élément", "checklist": "Procédures", "note": "Note",
        "displayName": "Nom", "firstName": "Prénom", "lastName": "Nom", "specialty": "Spécialité", "rpps": "RPPS", "greeting": "Annonce",
        "access": "Accès", "departement": "Département", "timeZone": "Fuseau horaire", "numbers": "Numéros appelés",
        "numbers[].number": "Numéro appelé n° #", "numbers[].label": "Usage du numéro n° #", "outsideHoursMessage": "Message hors horaires",
        "serviceStartsOn": "Mise en service", "slotMinutes": "Durée des créneaux", "openedHolidays[]": "Jour férié ouvert n° #",
        "coverage.weekly[].weekday": "Jour de la plage n° #", "coverage.weekly[].start": "Début de la plage n° #",
        "coverage.weekly[].end": "Fin de la plage n° #", "coverage.exceptions[]": "Exception n° #",
        "coverage.exceptions[].date": "Date de l'exception n° #", "ranges[].start": "Début de la plage n° #",
        "ranges[].end": "Fin de la plage n° #", "ranges[].weeks": "Semaines de la plage n° #", "ranges[].motifIds": "Motifs de la plage n° #",
        "weekdays": "Jours", "validFrom": "Valable du", "validUntil": "Valable jusqu'au", "fixedTimes": "Heures fixes",
        "lastSlotsCount": "Créneaux de fin de journée", "releaseBeforeMinutes": "Libération", "partOfDay": "Moment de la journée",
        "after": "Après", "motifIds": "Motifs", "motifIds[]": "Motif n° #", "bookableBy[]": "Réservable par (n° #)",
        "backupPractitionerId": "Praticien de remplacement", "practitionerID": "Praticien", "role": "Rôle", "password": "Mot de passe",
        "newPassword": "Nouveau mot de passe", "currentPassword": "Mot de passe actuel", "code": "Code", "protocole": "Protocole",
        "template": "Modèle", "file": "Fichier", "q": "Recherche", "recherche": "Recherche", "minutes": "Durée", "limit": "Nombre",
        "state": "État", "practices": "Cabinets", "duration": "Durée", "durationMinutes": "Durée", "label": "Libellé", "color": "Couleur",
        "instructions": "Consignes", "horizonDays": "Horizon", "minimumNoticeMinutes": "Délai minimal", "weekday": "Jour",
        "sheet.greeting": "Accueil à dire", "sheet.address": "Adresse", "sheet.access": "Accès", "sheet.coverage": "Horaires",
        "sheet.outOfHours": "Message hors horaires", "sheet.practitioners": "Praticiens", "sheet.practitioners[].name": "Praticiens, nom de la ligne #",
        "sheet.practitioners[].does": "Praticiens, ce que fait celui de la ligne #",
        "sheet.practitioners[].doesNot": "Praticiens, ce que ne fait pas celui de la ligne #", "sheet.consultations": "Consultations",
        "sheet.consultations[].name": "Consultations, nom de la ligne #", "sheet.consultations[].instructions": "Consultations, consignes de la ligne #",
        "sheet.faq": "Questions fréquentes", "sheet.faq[].question": "Questions fréquentes, question de la ligne #",
        "sheet.faq[].answer": "Questions fréquentes, réponse de la ligne #", "sheet.instructions": "Consignes", "sheet.instructions[]": "Consignes, ligne #",
        "procedures[]": "Procédure n° #", "procedures[].collect": "À recueillir, procédure n° #", "procedures[].say": "À dire, procédure n° #",
        "procedures[].outcomeDetail": "Suite, procédure n° #", "procedures[].requestType": "Type de demande, procédure n° #",
    ]

    /// A reason written for the application's API, said as a form says it: the formats the form's fields show
    /// (jj/mm/aaaa in a date field, hh:mm as the time fields' placeholder), no machine notation.
    static func plainFrench(_ reason: String) -> String {
        var text = reason
        for (machine, french) in [("AAAA-MM-JJ", "jj/mm/aaaa"), ("JJ/MM/AAAA", "jj/mm/aaaa"), ("HH:MM", "hh:mm"),
                                  ("identifiant UUID attendu", "choix à refaire dans la liste"),
                                  ("date et heure ISO 8601 avec décalage attendues", "date et heure attendues"),
                                  ("date et heure ISO 8601 à venir attendues", "date et heure à venir attendues"),
                                  ("date AAAA-MM-JJ ou horodatage ISO 8601 avec fuseau attendu", "date jj/mm/aaaa attendue")] {
            text = text.replacingOccurrences(of: machine, with: french)
        }
        return text
    }
}

/// The page-template tags that place a form's faults, read from the page's `errors` (or the faults given last):
/// `#refusal("Rendez-vous refusé")` the list above the form, `#invalid("start")` the field's attributes,
/// `#fault("start")` the sentence at the field. Several fields may be named: `#invalid("patient", "patientId")`.
enum FormFaultTags {
    static func register(_ app: Application) {
        app.leaf.tags["refusal"] = RefusalTag()
        app.leaf.tags["invalid"] = InvalidTag()
        app.leaf.tags["fault"] = FaultTag()
    }

    /// The faults in the context, and the fields named.
    fileprivate static func read(_ ctx: LeafContext) -> (faults: [[String: LeafData]], fields: [String]) {
        var faults = ctx.data["errors"]?.array ?? []
        var fields: [String] = []
        for parameter in ctx.parameters {
            // A text is a field's name (or the list's heading); anything else is the faults (an empty value: none).
            if parameter.celf == .string, let name = parameter.string { fields.append(name) } else { faults = parameter.array ?? [] }
        }
        return (faults.compactMap(\.dictionary), fields)
    }

    fileprivate static func matching(_ ctx: LeafContext) -> [[String: LeafData]] {
        let (faults, fields) = read(ctx)
        // A field named by the page holds the faults of its parts too ("coverage.exceptions" those of "coverage.exceptions[2]").
        return faults.filter { fault in
            guard let field = fault["field"]?.string else { return false }
            return fields.contains { field == $0 || field.hasPrefix($0 + "[") || field.hasPrefix($0 + ".") }
        }
    }

    fileprivate struct RefusalTag: UnsafeUnescapedLeafTag {
        func render(_ ctx: LeafContext) throws -> LeafData {
            let (faults, fields) = read(ctx)
            guard !faults.isEmpty else { return .string("") }
            let heading = fields.first.map { "<p>\(HTML.escaped($0)) :</p>" } ?? ""
            let items = faults.map { fault -> String in
                let text = HTML.escaped(fault["text"]?.string ?? "")
                guard let anchor = fault["anchor"]?.string else { return "<li>\(text)</li>" }
                return "<li><a href=\"#\(HTML.escaped(anchor))\" data-fault>\(text)</a></li>"
            }
            return .string("<div class=\"alert\" role=\"alert\" id=\"refus\" tabindex=\"-1\">\(heading)<ul>\(items.joined())</ul></div>")
        }
    }

    fileprivate struct InvalidTag: UnsafeUnescapedLeafTag {
        func render(_ ctx: LeafContext) throws -> LeafData {
            let anchors = Set(matching(ctx).compactMap { $0["anchor"]?.string })
            guard !anchors.isEmpty else { return .string("") }
            return .string(" aria-invalid=\"true\" aria-describedby=\"\(HTML.escaped(anchors.sorted().joined(separator: " ")))\"")
        }
    }

    fileprivate struct FaultTag: UnsafeUnescapedLeafTag {
        func render(_ ctx: LeafContext) throws -> LeafData {
            let faults = matching(ctx)
            var byAnchor: [String: [String]] = [:], order: [String] = []
            for fault in faults {
                guard let anchor = fault["anchor"]?.string else { continue }
                if byAnchor[anchor] == nil { order.append(anchor) }
                byAnchor[anchor, default: []].append(fault["message"]?.string ?? "")
            }
            return .string(order.map { anchor in
                "<span class=\"field-error\" id=\"\(HTML.escaped(anchor))\">\(HTML.escaped(byAnchor[anchor]!.joined(separator: " ")))</span>"
            }.joined())
        }
    }
}
