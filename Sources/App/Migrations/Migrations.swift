import Fluent

/// Every migration, in order. Append only: a landed migration is never edited.
enum PermanenceMigrations {
    static let all: [any Migration] = [
        CreateCenterAndPractices(),
        CreateUsers(),
        CreateLoginSessionsAndApiTokens(),
        CreateAuditEntries(),
        CreatePatients(),
        CreateAppointments(),
        CreateAgendaRules(),
        CreateBookings(),
        BoundSlotOccupancy(),
        CreatePatientRecords(),
        CreatePatientImports(),
        DropPatientSearchTerms(),
        CreatePlaybooks(),
        CreateCallJournal(),
        CreateTelephony(),
        TruthfulTraces(),
        CreateLoginThrottles(),
        IndexRetention(),
        KeyedAuditChain(),
        AccountLifecycle(),
        SecondFactor(),
        AccessTraceRetention(),
        ArchivedMotifs(),
        PracticeService(),
        AuditChainHead(),
        CreateFigureRollups(),
        CreateConnections(),
        CreatePatientMessages(),
        OutboxDueByKind(),
    ]
}
