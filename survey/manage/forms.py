"""Administrator forms (Flask-WTF: every one carries a CSRF token)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    username = StringField("用户名 Username", validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("密码 Password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Signing out is a POST with a CSRF token, so another site cannot sign a user out."""


class FrameUploadForm(FlaskForm):
    file = FileField("抽样框 CSV 文件 Frame CSV file", validators=[FileRequired("请选择文件。 Choose a file.")],
                     render_kw={"accept": ".csv,text/csv"})
