import ArgumentParser
struct Extract: ParsableCommand { static let configuration = CommandConfiguration(abstract: "Extract statements."); func run() throws {} }
