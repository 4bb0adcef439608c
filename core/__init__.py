"""The ground floor every layer stands on: MongoDB helpers and process-wide utilities.

Nothing here imports the rest of the project (commerce, nlu, dialogs, bot, admin_web, chatcart),
so any layer may use it without pulling in another layer.
"""
