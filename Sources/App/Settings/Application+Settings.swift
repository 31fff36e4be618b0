import Vapor

extension Application {
    private struct SettingsKey: StorageKey { typealias Value = AppSettings }

    var settings: AppSettings {
        get {
            guard let settings = storage[SettingsKey.self] else { fatalError("configure(_:settings:) stores the settings") }
            return settings
        }
        set { storage[SettingsKey.self] = newValue }
    }
}

extension Application {
    private struct ResourceLocationKey: StorageKey { typealias Value = ResourceLocation }

    /// Where the templates, static files and API description were found (`configure` sets `directory` from it).
    var resourceLocation: ResourceLocation {
        get { storage[ResourceLocationKey.self] ?? ResourceLocation(root: directory.workingDirectory, missing: []) }
        set { storage[ResourceLocationKey.self] = newValue }
    }
}
